// Package match ranks providers against a client's stated needs and explains
// each position in plain English. It also answers filtered, faceted
// searches over the same in-memory catalogue.
//
// Matching is neutral by construction (DOMAIN.md, "How the choice should be
// made"): eligibility is coverage of the client's location, status and
// provider type; the score is the share of stated needs met, with weights
// that depend only on the needs; ties are broken by a hash of the provider id
// seeded by the query. Nothing reads Jobcentre presence (unless the client
// asks to avoid the Jobcentre), feedback, incentive amounts, names or the
// order providers were added in.
//
// The package is pure: it imports only the domain and the standard library.
package match
