package staff

import (
	"context"

	"github.com/coreos/go-oidc/v3/oidc"
)

// ExpectAudience makes o accept ID tokens only for audience aud, for
// testing a token issued to another client.
func ExpectAudience(ctx context.Context, o *OIDC, aud string) error {
	p, err := oidc.NewProvider(ctx, o.cfg.Issuer)
	if err != nil {
		return err
	}
	o.verifier = p.Verifier(&oidc.Config{ClientID: aud})
	return nil
}
