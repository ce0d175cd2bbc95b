package api

import (
	"encoding/json"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// patchProvider godoc
//
//	@Summary		Change part of a provider
//	@Description	Role rule: as for PUT. A JSON Merge Patch (RFC 7396) of the record: the fields sent replace the stored ones, objects merge, null removes a field, lists are replaced whole. {"capacity":{"taking_new_clients":false}} is all it takes to stop taking new clients. The result is checked as a PUT of the whole record would be, with the same rules for provider editors. Needs If-Match with the ETag from your last read (428 without, 412 if stale). A patch that changes nothing makes no new version.
//	@Tags			providers
//	@Accept			json
//	@Accept			application/merge-patch+json
//	@Produce		json
//	@Security		BearerToken
//	@Param			id			path		string	true	"Provider id"
//	@Param			If-Match	header		string	true	"ETag from your last read"
//	@Param			patch		body		object	true	"The fields to change"
//	@Success		200			{object}	ProviderView
//	@Header			200			{string}	ETag	"The record's version"
//	@Failure		400			{object}	ErrorResponse
//	@Failure		401			{object}	ErrorResponse
//	@Failure		403			{object}	ErrorResponse
//	@Failure		404			{object}	ErrorResponse
//	@Failure		412			{object}	ErrorResponse
//	@Failure		413			{object}	ErrorResponse
//	@Failure		415			{object}	ErrorResponse
//	@Failure		428			{object}	ErrorResponse
//	@Router			/v1/providers/{id} [patch]
func (s *Server) patchProvider(c *gin.Context) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	body, err := s.readJSONBody(c)
	if err != nil {
		return err
	}
	var patch any
	if err := json.Unmarshal(body, &patch); err != nil {
		return jsonProblem(err)
	}
	if _, ok := patch.(map[string]any); !ok {
		return directory.Invalid("body", "must be a JSON object of the fields to change")
	}
	if !OwnsProvider(caller(c), c.Param("id")) {
		return forbidden("A provider editor can change only their own listing.")
	}
	cur, err := s.loadProvider(c)
	if err != nil {
		return err
	}
	if cur.Version != version {
		return directory.ErrVersionMismatch
	}
	raw, err := json.Marshal(cur)
	if err != nil {
		return err
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return err
	}
	merged, err := json.Marshal(mergePatch(doc, patch))
	if err != nil {
		return err
	}
	var in ProviderInput
	if err := decodeStrict(merged, &in); err != nil {
		return err
	}
	return s.replaceProvider(c, &in.Provider, version)
}

// mergePatch applies patch to target as RFC 7396 says: an object merges
// key by key, null removes the key, anything else replaces.
func mergePatch(target, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	tm, ok := target.(map[string]any)
	if !ok {
		tm = map[string]any{}
	}
	for k, v := range pm {
		if v == nil {
			delete(tm, k)
			continue
		}
		tm[k] = mergePatch(tm[k], v)
	}
	return tm
}
