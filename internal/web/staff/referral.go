package staff

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/service"
)

// consentStatement is what the adviser reads out before the client agrees.
const consentStatement = "I would like to pass your details to this provider so they can contact you about their support. " +
	"I will only share what you agree to. You can change your mind at any time, and if you do, your details will be deleted. " +
	"Saying no will not affect your benefits. Do you agree?"

// Contact preferences, kept with the note the provider reads.
var contactPrefs = []choice{{"phone", "By phone", ""}, {"text", "By text message", ""}, {"email", "By email", ""}, {"any", "Any of these", ""}}

// referral is the referral form as posted.
type referral struct {
	ProviderID, Name, Phone, Email, Contact, GivenBy, GivenAt, Note string
	Shares                                                          []string
	ConfirmNotTaking                                                bool
}

// Shared reports whether what is ticked to share.
func (r referral) Shared(what string) bool { return slices.Contains(r.Shares, what) }

type referData struct {
	Interview interview
	Provider  row
	Form      referral
	Statement string
	Contacts  []choice
	Preview   *directory.Referral
	NeedsText []string
}

const givenAtLayout = "2006-01-02T15:04"

func (s *server) readReferral(c *gin.Context) referral {
	return referral{
		ProviderID: strings.TrimSpace(c.PostForm("provider")),
		Name:       strings.TrimSpace(c.PostForm("client_name")),
		Phone:      strings.TrimSpace(c.PostForm("client_phone")),
		Email:      strings.TrimSpace(c.PostForm("client_email")),
		Contact:    c.PostForm("contact"),
		GivenBy:    c.PostForm("given_by"),
		GivenAt:    strings.TrimSpace(c.PostForm("given_at")),
		Note:       strings.TrimSpace(c.PostForm("note")),
		Shares:     dedupe(c.PostFormArray("shares")),
		// Ticked only when the adviser confirms the client wants a
		// provider not taking new clients.
		ConfirmNotTaking: c.PostForm("confirm_not_taking") == "yes",
	}
}

// providerRow finds a provider in the current match, so the form shows it
// as the list did; ErrNotFound if it is not among those shown.
func (s *server) providerRow(ctx context.Context, iv interview, id string) (row, error) {
	res, err := s.match(ctx, iv)
	if err != nil {
		return row{}, err
	}
	for _, r := range append(slices.Clone(res.Rows), res.Other...) {
		if r.ID == id {
			return r, nil
		}
	}
	return row{}, directory.ErrNotFound
}

// referForm starts a referral to the provider whose Refer button was
// pressed (or re-shows the form with a preview).
func (s *server) referForm(c *gin.Context) error {
	iv, errs := readInterview(c, true)
	f := s.readReferral(c)
	if f.ProviderID == "" {
		f.ProviderID = c.PostForm("refer")
	}
	if len(errs) > 0 || !directory.ValidID(f.ProviderID) {
		return directory.ErrNotFound
	}
	pr, err := s.providerRow(c.Request.Context(), iv, f.ProviderID)
	if err != nil {
		return err
	}
	data := referData{Interview: iv, Provider: pr, Form: f, Statement: consentStatement, Contacts: contactPrefs}
	if c.PostForm("refer") != "" {
		// A fresh form: consent is being given now.
		data.Form = referral{ProviderID: f.ProviderID, GivenAt: s.now().Format(givenAtLayout), GivenBy: "client", Shares: []string{directory.ShareName, directory.ShareContact}, Contact: "phone"}
	}
	var fe []fieldError
	if c.PostForm("action") == "preview" {
		r, errs := s.buildReferral(c, iv, data.Form, pr)
		fe = errs
		if len(fe) == 0 {
			data.Preview = r
			if r.Client.Needs != nil {
				data.NeedsText = needsText(*r.Client.Needs)
			}
		}
	}
	status := http.StatusOK
	if len(fe) > 0 {
		status = http.StatusBadRequest
	}
	s.render(c, status, "refer", "Refer to "+pr.Name, data, fe...)
	return nil
}

// buildReferral checks the form and makes the referral it describes, the
// client's details limited to what they agreed to share.
func (s *server) buildReferral(c *gin.Context, iv interview, f referral, pr row) (*directory.Referral, []fieldError) {
	var errs []fieldError
	switch f.GivenBy {
	case "client", "appointee", "advocate":
	default:
		errs = append(errs, fieldError{"given_by", "Say who gave consent"})
	}
	at, err := time.ParseInLocation(givenAtLayout, f.GivenAt, time.Local)
	if err != nil {
		errs = append(errs, fieldError{"given_at", "Enter when consent was given, as a date and time"})
	} else if at.After(s.now().Add(5 * time.Minute)) {
		errs = append(errs, fieldError{"given_at", "When consent was given cannot be in the future"})
	}
	if !f.Shared(directory.ShareContact) {
		errs = append(errs, fieldError{"shares", "Tick contact details: the provider needs them to contact the client"})
	}
	for _, sh := range f.Shares {
		if sh != directory.ShareName && sh != directory.ShareContact && sh != directory.ShareNeeds {
			errs = append(errs, fieldError{"shares", "Choose what to share from the list"})
			break
		}
	}
	if f.Shared(directory.ShareContact) && f.Phone == "" && f.Email == "" {
		errs = append(errs, fieldError{"client_phone", "Enter a phone number or an email address"})
	}
	if f.Shared(directory.ShareName) && f.Name == "" {
		errs = append(errs, fieldError{"client_name", "Enter the client's first name or initials, or untick their name"})
	}
	if len(f.Name) > directory.MaxClientName {
		errs = append(errs, fieldError{"client_name", "The name must be 40 characters or fewer: a first name or initials"})
	}
	if !slices.ContainsFunc(contactPrefs, func(ch choice) bool { return ch.Value == f.Contact }) {
		errs = append(errs, fieldError{"contact", "Choose how the client would like to be contacted"})
	}
	if len(f.Note) > directory.MaxNote-100 {
		errs = append(errs, fieldError{"note", "The note must be 900 characters or fewer"})
	}
	if pr.NotTaking && !f.ConfirmNotTaking {
		errs = append(errs, fieldError{"confirm_not_taking", pr.Name + " is not taking new clients. Tick the box to confirm the client still wants to be referred, or choose another provider"})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	r := &directory.Referral{ProviderID: pr.ID,
		Consent: directory.Consent{GivenBy: f.GivenBy, GivenAt: at, Shares: f.Shares, ProviderID: pr.ID}}
	if f.Shared(directory.ShareName) {
		r.Client.Name = f.Name
	}
	r.Client.Phone, r.Client.Email = f.Phone, f.Email
	if f.Shared(directory.ShareNeeds) {
		n := iv.needs()
		r.Client.Needs = &n
	}
	label := ""
	for _, ch := range contactPrefs {
		if ch.Value == f.Contact {
			label = ch.Label
		}
	}
	r.Note = "Contact the client: " + strings.ToLower(label) + "."
	if f.Note != "" {
		r.Note += "\n" + f.Note
	}
	return r, nil
}

// createReferral sends the referral through the service, which checks the
// consent record and audits it under the adviser's name.
func (s *server) createReferral(c *gin.Context) error {
	iv, errs := readInterview(c, true)
	f := s.readReferral(c)
	if len(errs) > 0 || !directory.ValidID(f.ProviderID) {
		return directory.ErrNotFound
	}
	pr, err := s.providerRow(c.Request.Context(), iv, f.ProviderID)
	if err != nil {
		return err
	}
	r, fe := s.buildReferral(c, iv, f, pr)
	if len(fe) == 0 {
		p := PersonFrom(c)
		r.CreatedBy, r.CreatedByName = p.Token.ID, p.Token.Name
		err := s.svc.CreateReferral(c.Request.Context(), r)
		var ve *directory.ValidationError
		switch {
		case errors.As(err, &ve):
			for _, pb := range ve.Problems {
				fe = append(fe, fieldError{"given_by", "Check the referral: " + pb.Field + " " + pb.Message})
			}
		case err != nil:
			return err
		default:
			c.Redirect(http.StatusSeeOther, "/staff/referrals/"+r.ID+"?made=1")
			return nil
		}
	}
	s.render(c, http.StatusBadRequest, "refer", "Refer to "+pr.Name,
		referData{Interview: iv, Provider: pr, Form: f, Statement: consentStatement, Contacts: contactPrefs}, fe...)
	return nil
}

// needsText is the needs as the provider will read them.
func needsText(n directory.Needs) []string {
	var out []string
	add := func(title, vocab string, codes []string) {
		if len(codes) == 0 {
			return
		}
		v := directory.MustVocabulary(vocab)
		ls := make([]string, len(codes))
		for i, c := range codes {
			ls[i] = v.Label(c)
		}
		out = append(out, title+": "+strings.Join(ls, ", "))
	}
	add("Health conditions", directory.VocabSpecialisms, n.HealthConditions)
	if n.SevereOrFluctuating {
		out = append(out, "Condition is severe, long-lasting or goes up and down")
	}
	if n.DistanceFromWork != "" {
		add("How close to working", directory.VocabDistanceFromWork, []string{n.DistanceFromWork})
	}
	if n.JobSearchStage != "" {
		add("Looking for work", directory.VocabJobSearchStages, []string{n.JobSearchStage})
	}
	if n.Hours != "" {
		add("Hours", directory.VocabHours, []string{n.Hours})
	}
	add("Kinds of work", directory.VocabWorkKinds, n.WorkKind)
	if n.UnsureOfWorkGoal {
		out = append(out, "Not sure what work to aim for")
	}
	add("Support wanted", directory.VocabServices, n.Support)
	add("Money worries", directory.VocabMoneyHelp, n.MoneyHelp)
	if n.InWorkSupport {
		out = append(out, "Wants support after starting a job")
	}
	add("Would like to meet", directory.VocabDeliveryModes, n.ContactPreferences)
	if n.AvoidJobcentre {
		out = append(out, "Not at the Jobcentre")
	}
	if n.AvoidGroups {
		out = append(out, "No group sessions")
	}
	if n.Travel != "" {
		add("Travel", directory.VocabTravel, []string{n.Travel})
	}
	add("Languages", directory.VocabLanguages, n.Languages)
	add("Access needs", directory.VocabAccessibility, n.Accessibility)
	if n.EmployerMayKnow != nil && !*n.EmployerMayKnow {
		out = append(out, "Does not want an employer told about their condition")
	}
	return out
}

type referralList struct {
	Items    []directory.Referral
	Total    int64
	Status   directory.ReferralStatus
	Statuses []directory.ReferralStatus
	Page     int
	Next     int
	Prev     int
}

// myReferrals lists the person's referrals through the API's own scoping
// rule (an adviser sees the referrals they made).
func (s *server) myReferrals(ctx context.Context, p *Person, status string, page, per int) (referralList, error) {
	f := directory.ReferralFilter{Status: directory.ReferralStatus(status), Page: page, PerPage: per}
	if err := api.ScopeReferrals(p.Token, &f); err != nil {
		return referralList{}, err
	}
	items, total, err := s.store.ListReferrals(ctx, f)
	if err != nil {
		return referralList{}, err
	}
	for i := range items {
		api.Redact(p.Token, &items[i])
	}
	return referralList{Items: items, Total: total, Status: f.Status, Page: page}, nil
}

var referralStatuses = []directory.ReferralStatus{"sent", "acknowledged", "accepted", "declined", "started", "job_entry", "sustained", "closed", "withdrawn"}

func (s *server) referrals(c *gin.Context) error {
	status := c.Query("status")
	if status != "" && !slices.Contains(referralStatuses, directory.ReferralStatus(status)) {
		status = ""
	}
	page, _ := strconv.Atoi(c.Query("page"))
	if page < 1 || page > 1000 {
		page = 1
	}
	const per = 20
	l, err := s.myReferrals(c.Request.Context(), PersonFrom(c), status, page, per)
	if err != nil {
		return err
	}
	l.Statuses = referralStatuses
	if int64(page*per) < l.Total {
		l.Next = page + 1
	}
	if page > 1 {
		l.Prev = page - 1
	}
	s.render(c, http.StatusOK, "referrals", "My referrals", l)
	return nil
}

type referralData struct {
	Referral  *directory.Referral
	Provider  string
	Made      bool
	NeedsText []string
	Open      bool
}

// loadReferral reads a referral and checks, by the API's rule, that the
// person may see it.
func (s *server) loadReferral(c *gin.Context) (*directory.Referral, error) {
	id := c.Param("id")
	if !directory.ValidID(id) {
		return nil, directory.ErrNotFound
	}
	r, err := s.store.Referral(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	p := PersonFrom(c)
	if err := api.MaySee(p.Token, r); err != nil {
		return nil, err
	}
	api.Redact(p.Token, r)
	return r, nil
}

func (s *server) referral(c *gin.Context) error {
	r, err := s.loadReferral(c)
	if err != nil {
		return err
	}
	data := referralData{Referral: r, Made: c.Query("made") == "1", Open: !r.Status.Final()}
	if p, ok := s.svc.Finder().Provider(r.ProviderID); ok {
		data.Provider = p.Name
	}
	if r.Client.Needs != nil {
		data.NeedsText = needsText(*r.Client.Needs)
	}
	s.render(c, http.StatusOK, "referral", "Referral", data)
	return nil
}

// withdraw withdraws the referral (the adviser's one move on it), at the
// version the page showed, so a change since is not overwritten.
func (s *server) withdraw(c *gin.Context) error {
	r, err := s.loadReferral(c)
	if err != nil {
		return err
	}
	version, err := strconv.ParseInt(c.PostForm("version"), 10, 64)
	if err != nil {
		return directory.ErrNotFound
	}
	_, err = s.svc.TransitionReferral(c.Request.Context(), r, version, service.Transition{Status: directory.ReferralWithdrawn, Reason: "Withdrawn by the adviser"})
	if errors.Is(err, directory.ErrVersionMismatch) || errors.Is(err, directory.ErrConflict) {
		s.render(c, http.StatusConflict, "problem", "The referral has changed",
			problem{"The provider has updated this referral since you opened it. Open it again to see where it is now."})
		return nil
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/staff/referrals/"+r.ID)
	return nil
}

// withdrawConsent erases the client's details as the API does (the
// service's WithdrawConsent) and withdraws the referral if it is open.
func (s *server) withdrawConsent(c *gin.Context) error {
	r, err := s.loadReferral(c)
	if err != nil {
		return err
	}
	if _, err := s.svc.WithdrawConsent(c.Request.Context(), r.ID); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/staff/referrals/"+r.ID)
	return nil
}

// statusText is a referral status in plain words.
func statusText(st directory.ReferralStatus) string {
	switch st {
	case "sent":
		return "Sent"
	case "acknowledged":
		return "Seen by the provider"
	case "accepted":
		return "Accepted"
	case "declined":
		return "Declined"
	case "started":
		return "Started support"
	case "job_entry":
		return "Started a job"
	case "sustained":
		return "In work 13 weeks"
	case "closed":
		return "Closed"
	case "withdrawn":
		return "Withdrawn"
	}
	return string(st)
}
