// Package synth generates synthetic provider directories for benchmarks, load
// tests and scale tests: 1k, 10k or 100k valid, realistic-looking providers
// spread over real postcode districts, the same every time for the same seed.
//
// Nothing here is real: organisation names come from word lists, phone
// numbers from Ofcom's drama ranges, and e-mail and web addresses use
// example.org. The output is a fixture, never seed data for a live service.
package synth
