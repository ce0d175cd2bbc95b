// Package directory holds brokerfinder's domain: providers of employment
// support (Job Brokers and other provision), the controlled vocabularies that
// describe them, validation, domain errors and the small interfaces the rest of
// the service depends on.
//
// It imports nothing from the project and no third-party package, so every
// boundary (HTTP, store, index) translates to and from these types.
package directory
