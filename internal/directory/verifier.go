package directory

import "strings"

// Who confirmed a listing, as Freshness.VerifiedBy stores it and as the
// public sees it: the kind of confirmer, never a person or a token's name
// (those are kept in the audit log, which records the actor of every
// write).
const (
	// VerifiedByProvider: the provider confirmed its own listing (a
	// provider editor's token).
	VerifiedByProvider = "provider"
	// VerifiedByDirectoryTeam: the directory's staff confirmed it (an
	// admin's token, or an operator's command).
	VerifiedByDirectoryTeam = "directory_team"
)

// VerifierOf returns the kind of confirmer an actor with role r is.
func VerifierOf(r Role) string {
	if r == RoleProviderEditor {
		return VerifiedByProvider
	}
	return VerifiedByDirectoryTeam
}

// PublicVerifiedBy maps a stored VerifiedBy to what public records and
// pages show. Records confirmed before VerifiedBy held a kind hold free
// text: "provider (self-service)" (the seed's and generator's form for a
// provider's own confirmation) shows as the provider; anything else not a
// known kind ("Ed P2", "M. Osei, Partnership Manager", "Leeds district DEA
// team", an importer's email) shows as the directory team, which entered or
// confirmed it. Nobody's name is published. Empty (never confirmed) stays
// empty.
func PublicVerifiedBy(stored string) string {
	switch {
	case stored == "":
		return ""
	case stored == VerifiedByProvider, strings.HasPrefix(stored, "provider ("):
		return VerifiedByProvider
	}
	return VerifiedByDirectoryTeam
}

// VerifiedByText says in plain English who confirmed a listing, for pages:
// "the provider" or "the directory team" ("" when nobody has).
func VerifiedByText(stored string) string {
	switch PublicVerifiedBy(stored) {
	case VerifiedByProvider:
		return "the provider"
	case VerifiedByDirectoryTeam:
		return "the directory team"
	}
	return ""
}

// PublicFreshness returns f as public records show it: VerifiedBy mapped
// by PublicVerifiedBy.
func PublicFreshness(f Freshness) Freshness {
	f.VerifiedBy = PublicVerifiedBy(f.VerifiedBy)
	return f
}
