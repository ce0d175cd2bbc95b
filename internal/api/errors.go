package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// ErrorResponse is the one JSON shape of every error.
type ErrorResponse struct {
	// Code is a stable machine-readable code, such as "invalid" or "not_found".
	Code string `json:"code" example:"invalid"`
	// Message says in plain English what went wrong and what to do.
	Message string `json:"message" example:"The request has 1 problem: see fields."`
	// Fields names each field with a problem (JSON paths into the body, or
	// query parameter names): the first 50 at most, in order.
	Fields []directory.FieldProblem `json:"fields,omitempty"`
	// MoreFields is how many more problems there were beyond those in
	// Fields; Message gives the total.
	MoreFields int `json:"more_fields,omitempty" example:"0"`
} // @name Error

// Bounds on an error response, so a request cannot make it large: a body
// of a million unknown keys gets the first maxFields problems and a count of
// the rest, and a problem naming a huge key gets the key cut short.
const (
	maxFields       = 50
	maxFieldTextLen = 200
)

// validationResponse is the response for a validation error's problems,
// bounded by maxFields and maxFieldTextLen.
func validationResponse(problems []directory.FieldProblem) ErrorResponse {
	resp := ErrorResponse{Code: "invalid", Message: problemsMessage(len(problems))}
	shown := problems[:min(len(problems), maxFields)]
	resp.Fields = make([]directory.FieldProblem, len(shown))
	for i, p := range shown {
		resp.Fields[i] = directory.FieldProblem{Field: clip(p.Field), Message: clip(p.Message)}
	}
	resp.MoreFields = len(problems) - len(shown)
	if resp.MoreFields > 0 {
		resp.Message = fmt.Sprintf("The request has %d problems: fields lists the first %d.", len(problems), len(shown))
	}
	return resp
}

// clip cuts s to maxFieldTextLen bytes (on a rune boundary), marking the cut.
func clip(s string) string {
	if len(s) <= maxFieldTextLen {
		return s
	}
	cut := maxFieldTextLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// apiError is an error with its own status, code and message.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.message }

// Is makes a 403 of the API's own wording match directory.ErrForbidden, so
// pages reusing the API's rules (ScopeReferrals, MaySee) can tell it apart.
func (e *apiError) Is(target error) bool {
	return target == directory.ErrForbidden && e.status == http.StatusForbidden
}

var (
	errRoute              = &apiError{http.StatusNotFound, "not_found", "There is no such endpoint. See /openapi/openapi.json."}
	errMethod             = &apiError{http.StatusMethodNotAllowed, "method_not_allowed", "This endpoint does not accept that method."}
	errInternal           = &apiError{http.StatusInternalServerError, "internal", "Something went wrong on our side. Please try again."}
	errPreconditionNeeded = &apiError{http.StatusPreconditionRequired, "precondition_required", "Send an If-Match header with the record's ETag from your last read, so your change cannot overwrite someone else's."}
	errTooLarge           = &apiError{http.StatusRequestEntityTooLarge, "too_large", "The request body is too large."}
	errMediaType          = &apiError{http.StatusUnsupportedMediaType, "unsupported_media_type", "Send the body as application/json."}
)

// writeError maps an error to its status and JSON body. Domain errors map by
// one table; anything unknown is a 500 whose body carries no internal detail.
func (s *Server) writeError(c *gin.Context, err error) {
	var (
		ae   *apiError
		ve   *directory.ValidationError
		pe   *directory.PlaceError
		re   *directory.RuleError
		resp ErrorResponse
		st   int
	)
	switch {
	case errors.As(err, &ae):
		st, resp = ae.status, ErrorResponse{Code: ae.code, Message: ae.message}
	case errors.As(err, &re) && errors.Is(re.Kind, directory.ErrForbidden):
		st, resp = http.StatusForbidden, ErrorResponse{Code: "forbidden", Message: re.Message}
	case errors.As(err, &re) && errors.Is(re.Kind, directory.ErrConflict):
		st, resp = http.StatusConflict, ErrorResponse{Code: "conflict", Message: re.Message}
	case errors.As(err, &pe):
		st = http.StatusUnprocessableEntity
		resp = ErrorResponse{Code: "unknown_place", Message: clip(pe.Message), Fields: []directory.FieldProblem{{Field: clip(pe.Field), Message: clip(pe.Message)}}}
	case errors.As(err, &ve):
		st = http.StatusBadRequest
		resp = validationResponse(ve.Problems)
	case errors.Is(err, directory.ErrNotFound):
		st, resp = http.StatusNotFound, ErrorResponse{Code: "not_found", Message: "No record has that id."}
	case errors.Is(err, directory.ErrVersionMismatch):
		st, resp = http.StatusPreconditionFailed, ErrorResponse{Code: "precondition_failed", Message: "The record has changed since you read it. Read it again, reapply your change and send the new ETag in If-Match."}
	case errors.Is(err, directory.ErrConflict):
		st, resp = http.StatusConflict, ErrorResponse{Code: "conflict", Message: "A record with that id already exists."}
	case errors.Is(err, directory.ErrUnauthorized):
		c.Header("WWW-Authenticate", `Bearer realm="brokerfinder"`)
		st, resp = http.StatusUnauthorized, ErrorResponse{Code: "unauthorized", Message: "Send a valid API token as 'Authorization: Bearer <token>'."}
	case errors.Is(err, directory.ErrForbidden):
		st, resp = http.StatusForbidden, ErrorResponse{Code: "forbidden", Message: "Your token does not allow this."}
	case errors.Is(err, directory.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		c.Header("Retry-After", "5")
		st, resp = http.StatusServiceUnavailable, ErrorResponse{Code: "unavailable", Message: "The directory store cannot be reached just now. Please try again shortly."}
		s.logger.WarnContext(c.Request.Context(), "store unavailable", "route", route(c), "err", err)
	case errors.Is(err, context.Canceled):
		st, resp = 499, ErrorResponse{Code: "canceled", Message: "The request was cancelled."}
	default:
		s.logger.ErrorContext(c.Request.Context(), "internal error", "method", c.Request.Method, "route", route(c), "err", err)
		st, resp = http.StatusInternalServerError, ErrorResponse{Code: errInternal.code, Message: errInternal.message}
	}
	// An error is never cached: a public read's Cache-Control is for its
	// answer, not for a failure that may clear in a moment.
	c.Header("Cache-Control", "no-store")
	writeJSON(c, st, resp)
}

func problemsMessage(n int) string {
	if n == 1 {
		return "The request has 1 problem: see fields."
	}
	return fmt.Sprintf("The request has %d problems: see fields.", n)
}
