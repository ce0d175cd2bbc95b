package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/api/apiclient"
)

// TestGeneratedClientAdviserFlow runs an adviser's whole flow through the
// client oapi-codegen generated from openapi/openapi.json: vocabularies,
// search, match, a shortlist, a referral with consent, a transition and
// the adviser's withdrawal of consent. Every exchange also passes the contract
// check of the test server.
func TestGeneratedClientAdviserFlow(t *testing.T) {
	w := newWorkflowEnv(t)
	ctx := context.Background()
	bearer := func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+w.tokens[adviser])
		return nil
	}
	c, err := apiclient.NewClientWithResponses(w.srv.URL, apiclient.WithRequestEditorFn(bearer))
	if err != nil {
		t.Fatal(err)
	}
	voc, err := c.VocabulariesWithResponse(ctx, nil)
	if err != nil || voc.JSON200 == nil || len(voc.JSON200.Vocabularies) == 0 {
		t.Fatalf("vocabularies: %v %d", err, voc.StatusCode())
	}
	q := "Aire"
	sr, err := c.SearchWithResponse(ctx, &apiclient.SearchParams{Q: &q})
	if err != nil || sr.JSON200 == nil || sr.JSON200.Total < 1 {
		t.Fatalf("search: %v %d %s", err, sr.StatusCode(), sr.Body)
	}
	town := "Leeds"
	conditions := []string{"mental_health"}
	query := apiclient.MatchQuery{Location: &apiclient.LocationQuery{Town: &town}, Needs: &apiclient.Needs{HealthConditions: &conditions}}
	mr, err := c.PostMatchWithResponse(ctx, query)
	if err != nil || mr.JSON200 == nil {
		t.Fatalf("match: %v %d %s", err, mr.StatusCode(), mr.Body)
	}
	chosen := w.a.ID
	sl, err := c.CreateShortlistWithResponse(ctx, apiclient.ShortlistRequest{Query: &query, ChosenProviderId: &chosen})
	if err != nil || sl.JSON201 == nil || sl.JSON201.Code == "" {
		t.Fatalf("shortlist: %v %d %s", err, sl.StatusCode(), sl.Body)
	}
	name, phone := "Sam", "0113 496 0000"
	ref, err := c.CreateReferralWithResponse(ctx, apiclient.ReferralRequest{
		ProviderId: w.a.ID,
		Client:     apiclient.ClientDetails{Name: &name, Phone: &phone, Needs: &apiclient.Needs{HealthConditions: &conditions}},
		Consent:    apiclient.Consent{GivenBy: "client", GivenAt: time.Now().Add(-time.Minute), ProviderId: w.a.ID, Shares: []string{"name", "contact", "needs"}},
	})
	if err != nil || ref.JSON201 == nil || ref.HTTPResponse.Header.Get("Location") == "" {
		t.Fatalf("referral: %v %d %s", err, ref.StatusCode(), ref.Body)
	}
	r := ref.JSON201
	// The receiving provider records how the referral goes.
	editor, err := apiclient.NewClientWithResponses(w.srv.URL, apiclient.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+w.tokens[editorA])
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := editor.TransitionReferralWithResponse(ctx, r.Id, &apiclient.TransitionReferralParams{IfMatch: fmt.Sprintf(`"%d"`, r.Version)},
		apiclient.TransitionRequest{Status: "acknowledged"})
	if err != nil || tr.JSON200 == nil || tr.JSON200.Status != "acknowledged" {
		t.Fatalf("transition: %v %d %s", err, tr.StatusCode(), tr.Body)
	}
	wd, err := c.WithdrawConsentWithResponse(ctx, r.Id)
	if err != nil || wd.StatusCode() != http.StatusOK {
		t.Fatalf("withdraw consent: %v %d %s", err, wd.StatusCode(), wd.Body)
	}
}
