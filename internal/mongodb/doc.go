// Package mongodb is brokerfinder's store over the official MongoDB Go driver.
// It is the only package that imports the driver or FerretDB.
//
// With no MongoDB URI configured, StartEmbedded runs FerretDB in-process on
// SQLite files in the data directory and the same driver code talks to it
// over the real wire protocol, so there is one store code path for the
// embedded default and for any real MongoDB (replica set, Atlas, sharded).
// Where FerretDB on SQLite is too slow through the driver, the store reads
// or indexes its SQLite files directly, and only when opened with
// Options.SQLiteDir (as Embedded.Open does; see ferretsqlite.go).
//
// Documents are stored through types of their own (providerdoc.go and each
// collection's file), so the stored layout does not follow the API's field
// names.
package mongodb
