package directory

import "reflect"

// codes maps every vocabulary code to one shared copy of its string.
var codes = func() map[string]string {
	m := map[string]string{}
	for _, v := range vocabularies {
		for _, t := range v.Terms {
			m[t.Code] = t.Code
		}
	}
	return m
}()

func intern(s *string) {
	if c, ok := codes[*s]; ok {
		*s = c
	}
}

func internAll(list []string) {
	for i := range list {
		intern(&list[i])
	}
}

// InternCodes makes every vocabulary code in p share one copy of its
// string. A decoded record holds a fresh copy of each code; across a
// national directory held in memory (the search catalogue) those copies
// are a good part of the heap.
func (p *Provider) InternCodes() {
	intern(&p.Type)
	intern(&p.Status)
	intern(&p.Organisation.Sector)
	intern(&p.Organisation.Scale)
	intern(&p.Organisation.ContractStatus)
	for i := range p.Sites {
		s := &p.Sites[i]
		intern(&s.Kind)
		internAll(s.JobcentreDays)
		internAll(s.Accessibility)
		for j := range s.OpeningHours {
			intern(&s.OpeningHours[j].Day)
		}
	}
	internAll(p.DeliveryModes)
	for i := range p.Services {
		intern(&p.Services[i].Code)
		intern(&p.Services[i].Provision)
	}
	internAll(p.Specialisms)
	internAll(p.ServesOnly)
	intern(&p.ServiceModel)
	intern(&p.RegistrationApproach)
	for i := range p.OutOfScope {
		intern(&p.OutOfScope[i].Need)
	}
	for i := range p.Incentives {
		intern(&p.Incentives[i].Kind)
		intern(&p.Incentives[i].Recipient)
	}
	intern(&p.InWorkSupport.Model)
	intern(&p.InWorkSupport.Disclosure)
	intern(&p.Staffing.AdviserModel)
	internAll(p.Accessibility)
	internAll(p.Languages)
}

// Compact interns p's codes (InternCodes) and moves every other string it
// holds into one shared allocation, and the elements of its lists of
// strings into another, and trims every other list to its length. A
// decoded record is some forty small objects,
// most of them strings; a catalogue of 100,000 records held about four
// million, and the garbage collector visits every one on every cycle.
// Values are unchanged; the lists' capacity is cut to their length, so an
// append copies rather than writes into the shared block.
func (p *Provider) Compact() {
	p.InternCodes()
	var c compactor
	v := reflect.ValueOf(p).Elem()
	c.walk(v) // measure
	c.text = make([]byte, 0, c.textLen)
	c.lists = make([]string, 0, c.listLen)
	c.fill = true
	c.walk(v)
	c.block = string(c.text) // one copy, shared by every string below
	c.assign(v)
}

type compactor struct {
	fill             bool
	textLen, listLen int
	text             []byte
	lists            []string
	block            string
	offsets          []int // start of each copied string in text, in walk order
	next             int
}

var stringsType = reflect.TypeFor[[]string]()

// walk visits every string reachable from v, in a fixed order: measuring,
// then (fill) copying text.
func (c *compactor) walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		if _, ok := codes[s]; ok || s == "" {
			return
		}
		if !c.fill {
			c.textLen += len(s)
			return
		}
		c.offsets = append(c.offsets, len(c.text))
		c.text = append(c.text, s...)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				c.walk(v.Field(i))
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			c.walk(v.Elem())
		}
	case reflect.Slice:
		if v.Type() == stringsType && !c.fill {
			c.listLen += v.Len()
		}
		for i := range v.Len() {
			c.walk(v.Index(i))
		}
	}
}

// assign points every string walk copied at its copy in block, and every
// list of strings at the shared list block.
func (c *compactor) assign(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		if code, ok := codes[s]; ok {
			v.SetString(code)
			return
		}
		if s == "" {
			return
		}
		off := c.offsets[c.next]
		c.next++
		v.SetString(c.block[off : off+len(s)])
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				c.assign(v.Field(i))
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			c.assign(v.Elem())
		}
	case reflect.Slice:
		if v.Type() == stringsType && v.Len() > 0 {
			from := len(c.lists)
			for i := range v.Len() {
				c.assign(v.Index(i))
				c.lists = append(c.lists, v.Index(i).String())
			}
			v.Set(reflect.ValueOf(c.lists[from:len(c.lists):len(c.lists)]))
			return
		}
		if v.Cap() > v.Len() {
			// Decoding grows lists by doubling; keep only what is used.
			exact := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
			reflect.Copy(exact, v)
			v.Set(exact)
		}
		for i := range v.Len() {
			c.assign(v.Index(i))
		}
	}
}
