package hsds

// Page is the HSDS list envelope, exactly: the ORUK validator and consumers
// read these eight properties and nothing else.
type Page[T any] struct {
	TotalItems int  `json:"total_items"`
	TotalPages int  `json:"total_pages"`
	PageNumber int  `json:"page_number"`
	Size       int  `json:"size"`
	FirstPage  bool `json:"first_page"`
	LastPage   bool `json:"last_page"`
	Empty      bool `json:"empty"`
	Contents   []T  `json:"contents"`
}

// Paginate returns page (from 1) of items, perPage at a time. Size is the
// number of items on this page; total_pages is 0 when there are no items, and
// a page past the end is empty and last.
func Paginate[T any](items []T, page, perPage int) Page[T] {
	total := len(items)
	pages := (total + perPage - 1) / perPage
	start := min((page-1)*perPage, total)
	end := min(start+perPage, total)
	contents := items[start:end:end]
	if contents == nil {
		contents = []T{}
	}
	return Page[T]{
		TotalItems: total,
		TotalPages: pages,
		PageNumber: page,
		Size:       len(contents),
		FirstPage:  page == 1,
		LastPage:   page >= pages,
		Empty:      len(contents) == 0,
		Contents:   contents,
	}
}

// MapPage returns p with each item of its contents converted by fn, so a
// list can be paged before its items are built.
func MapPage[T, U any](p Page[T], fn func(T) U) Page[U] {
	out := Page[U]{
		TotalItems: p.TotalItems, TotalPages: p.TotalPages, PageNumber: p.PageNumber, Size: p.Size,
		FirstPage: p.FirstPage, LastPage: p.LastPage, Empty: p.Empty, Contents: make([]U, len(p.Contents)),
	}
	for i, item := range p.Contents {
		out.Contents[i] = fn(item)
	}
	return out
}
