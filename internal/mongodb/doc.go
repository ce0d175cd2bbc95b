// Package mongodb is brokerfinder's store over the official MongoDB Go driver.
// It is the only package that imports the driver or FerretDB.
//
// With no MongoDB URI configured, StartEmbedded runs FerretDB in-process on
// SQLite files in the data directory and the same driver code talks to it
// over the real wire protocol, so there is one store code path for the
// embedded default and for any real MongoDB (replica set, Atlas, sharded).
package mongodb
