package directory

import "testing"

func TestPublicVerifiedBy(t *testing.T) {
	for _, tc := range []struct{ stored, want, text string }{
		{"", "", ""},
		{VerifiedByProvider, VerifiedByProvider, "the provider"},
		{VerifiedByDirectoryTeam, VerifiedByDirectoryTeam, "the directory team"},
		{"provider (self-service)", VerifiedByProvider, "the provider"},
		{"Ed P2", VerifiedByDirectoryTeam, "the directory team"},
		{"M. Osei, Partnership Manager", VerifiedByDirectoryTeam, "the directory team"},
		{"someone@example.org", VerifiedByDirectoryTeam, "the directory team"},
	} {
		t.Run(tc.stored, func(t *testing.T) {
			if got := PublicVerifiedBy(tc.stored); got != tc.want {
				t.Errorf("PublicVerifiedBy(%q) = %q, want %q", tc.stored, got, tc.want)
			}
			if got := VerifiedByText(tc.stored); got != tc.text {
				t.Errorf("VerifiedByText(%q) = %q, want %q", tc.stored, got, tc.text)
			}
		})
	}
	for r, want := range map[Role]string{RoleProviderEditor: VerifiedByProvider, RoleAdmin: VerifiedByDirectoryTeam, RoleTool: VerifiedByDirectoryTeam} {
		if got := VerifierOf(r); got != want {
			t.Errorf("VerifierOf(%s) = %q, want %q", r, got, want)
		}
	}
}
