package directory

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Domain errors. Adapters translate their own errors into these at the
// boundary, and the API maps each to one HTTP status.
var (
	// ErrNotFound means the record does not exist.
	ErrNotFound = errors.New("not found")
	// ErrInvalid means the input broke a rule; see ValidationError for which.
	ErrInvalid = errors.New("invalid input")
	// ErrConflict means the write clashes with existing data (a duplicate id).
	ErrConflict = errors.New("conflict")
	// ErrVersionMismatch means an update named a version that is no longer
	// current: somebody else changed the record first.
	ErrVersionMismatch = errors.New("version mismatch")
	// ErrUnauthorized means no valid credentials were given.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden means the credentials do not allow the action.
	ErrForbidden = errors.New("forbidden")
	// ErrUnavailable means a dependency (the store) cannot be reached.
	ErrUnavailable = errors.New("unavailable")
	// ErrUnknownPlace means a well-formed postcode or town was not found.
	ErrUnknownPlace = errors.New("unknown place")
)

// PlaceError says which place field could not be found and what to type
// instead. It matches ErrUnknownPlace with errors.Is.
type PlaceError struct {
	Field   string
	Message string
}

// Error returns the message.
func (e *PlaceError) Error() string { return e.Field + ": " + e.Message }

// Is makes errors.Is(err, ErrUnknownPlace) true for a PlaceError.
func (e *PlaceError) Is(target error) bool { return target == ErrUnknownPlace }

// ConflictError names the ids a bulk create found already taken. It matches
// ErrConflict with errors.Is.
type ConflictError struct {
	IDs []string
}

// Error names the first few ids and counts the rest.
func (e *ConflictError) Error() string {
	const show = 10
	if len(e.IDs) <= show {
		return "conflict: ids already taken: " + strings.Join(e.IDs, ", ")
	}
	return fmt.Sprintf("conflict: ids already taken: %s and %d more", strings.Join(e.IDs[:show], ", "), len(e.IDs)-show)
}

// Is makes errors.Is(err, ErrConflict) true for a ConflictError.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// FieldProblem is one problem with one field, named by its JSON path
// ("sites[0].location.lat").
type FieldProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError lists every problem found in an input at once, so a caller
// can fix them all in one go. It matches ErrInvalid with errors.Is.
type ValidationError struct {
	Problems []FieldProblem
}

// Error joins the problems into one line.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Field + ": " + p.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Is makes errors.Is(err, ErrInvalid) true for a ValidationError.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Invalid returns a ValidationError with a single problem.
func Invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Problems: []FieldProblem{{Field: field, Message: fmt.Sprintf(format, args...)}}}
}

// problems collects field problems during validation.
type problems struct {
	list []FieldProblem
}

func (p *problems) add(field, format string, args ...any) {
	p.list = append(p.list, FieldProblem{Field: field, Message: fmt.Sprintf(format, args...)})
}

// err returns nil when nothing was found, else a ValidationError with the
// problems in field order (stable output for clients and tests).
func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	list := append([]FieldProblem(nil), p.list...)
	sort.SliceStable(list, func(i, j int) bool { return list[i].Field < list[j].Field })
	return &ValidationError{Problems: list}
}

// RuleError is a refusal with a message for the person: a rule of the
// service forbids the change (Kind ErrForbidden) or it clashes with the
// record's state (Kind ErrConflict). It matches its Kind with errors.Is.
type RuleError struct {
	Kind    error
	Message string
}

// Error returns the message.
func (e *RuleError) Error() string { return e.Message }

// Is reports whether target is e's Kind.
func (e *RuleError) Is(target error) bool { return target == e.Kind }

// Forbidden returns a RuleError of kind ErrForbidden.
func Forbidden(message string) error { return &RuleError{Kind: ErrForbidden, Message: message} }

// Conflict returns a RuleError of kind ErrConflict.
func Conflict(message string) error { return &RuleError{Kind: ErrConflict, Message: message} }
