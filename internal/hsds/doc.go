// Package hsds maps brokerfinder's directory to and from Open Referral UK
// (ORUK), the UK profile of the Human Services Data Specification 3.0
// (HSDS-UK 3.0): services, organisations, locations, taxonomies and the
// paged list envelope, as the profile's JSON schemas expect them.
//
// A provider becomes one fully nested service. What HSDS has a place for
// goes there (name, description, status, organisation, sites as locations,
// coverage as service areas, opening hours as schedules, languages,
// accessibility, assured date). Everything else the directory holds is
// carried as attributes: a taxonomy term from one of the directory's
// controlled vocabularies, or from the "brokerfinder_fields" taxonomy for
// values that are not codes, with the field's path in link_type and any
// detail in value. So a provider exported and imported again comes back
// unchanged (see Provider and the round-trip test).
//
// It imports no third-party code and nothing from the project but
// internal/directory.
package hsds
