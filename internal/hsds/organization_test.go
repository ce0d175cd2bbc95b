package hsds_test

import (
	"encoding/json"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/hsds"
	"github.com/brokerfinder/brokerfinder/internal/hsds/hsdstest"
)

// TestOrganizationRoundTrip: an organisation's own id and name, from another
// directory, survive import and export; a provider made here stays its own
// organisation, with the same derived id as before.
func TestOrganizationRoundTrip(t *testing.T) {
	schemas := hsdstest.Load(t, hsdstest.Dir(t))
	ps := loadSeed(t)
	p := ps[0]
	svc := hsds.FromProvider(&p)
	derived := svc.OrganizationID
	if derived != hsds.UUID5("brokerfinder:organisation:"+svc.ID) || svc.Organization.Name != p.Name {
		t.Fatalf("derived organisation changed: %s %q", derived, svc.Organization.Name)
	}
	const orgID, orgName = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610", "Example Organization Inc."
	svc.OrganizationID, svc.Organization.ID, svc.Organization.Name = orgID, orgID, orgName
	got, notes, err := hsds.Provider(&svc)
	if err != nil {
		t.Fatal(err)
	}
	if got.Organisation.ID != orgID || got.Organisation.Name != orgName {
		t.Errorf("import kept organisation %q %q, want %q %q (notes %v)", got.Organisation.ID, got.Organisation.Name, orgID, orgName, notes)
	}
	back := hsds.FromProvider(&got)
	if back.OrganizationID != orgID || back.Organization.ID != orgID || back.Organization.Name != orgName || back.Name != p.Name {
		t.Errorf("export gave organisation %s %q (service %q)", back.OrganizationID, back.Organization.Name, back.Name)
	}
	raw, _ := json.Marshal(back)
	schemas.Validate(t, "compiled/service.json", raw)
	// The derived organisation is not stored: the record is as it was.
	again, _, err := hsds.Provider(new(hsds.FromProvider(&p)))
	if err != nil {
		t.Fatal(err)
	}
	if again.Organisation.ID != "" || again.Organisation.Name != "" {
		t.Errorf("derived organisation stored: %q %q", again.Organisation.ID, again.Organisation.Name)
	}
	// Organisations validate in both shapes.
	o := hsds.OrganizationBrief(&got)
	raw, _ = json.Marshal(o)
	schemas.Validate(t, "compiled/organization_list.json", raw)
	full := hsds.OrganizationFull([]*directory.Provider{&got, &ps[1]})
	raw, _ = json.Marshal(full)
	schemas.Validate(t, "compiled/organization.json", raw)
	if full.ID != orgID || len(full.Services) != 2 {
		t.Errorf("full organisation %s with %d services", full.ID, len(full.Services))
	}
}
