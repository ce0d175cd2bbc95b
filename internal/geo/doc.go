// Package geo parses UK postcodes and turns postcodes, postcode districts
// (outward codes), town names and coordinates into places.
//
// Three sources answer lookups, tried in this order by New:
//
//   - a CSV postcode file loaded into memory (an ONS Postcode Directory
//     extract of full postcodes, or a file of outward codes with towns);
//   - a postcodes.io-compatible HTTP service;
//   - a built-in table, embedded in the binary, of every UK postcode
//     district and place name (from GeoNames, with the seed directory's own
//     districts and towns taking precedence), so the service works with no
//     set-up.
//
// A full postcode that no source knows exactly is placed at the centre of
// its district when some source knows the district. Errors are the domain's:
// malformed input is a *directory.ValidationError (directory.ErrInvalid),
// an unknown town directory.ErrNotFound, a well-formed postcode in a
// district no source knows ErrUnknownArea (which also matches
// directory.ErrNotFound), and a failing remote service
// directory.ErrUnavailable.
//
// geo imports only the standard library and internal/directory.
package geo
