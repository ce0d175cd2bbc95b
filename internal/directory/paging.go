package directory

// Paging limits, the same for every list the service pages: the API's
// lists, search, match and the Open Referral feed.
const (
	// DefaultPerPage is the page size when none is asked for.
	DefaultPerPage = 20
	// MaxPerPage is the largest page; a larger size is refused or cut to
	// it, as each route documents.
	MaxPerPage = 100
	// MaxPage is the highest page number a request may ask for, so no
	// request can ask for an absurd offset.
	MaxPage = 10_000
)
