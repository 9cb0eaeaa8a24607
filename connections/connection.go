package connections

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/input"
)

// Kinds of connection.
const (
	KindStored      = "stored"      // made in the console, kept in the database
	KindEnvironment = "environment" // from the ALVARIA_* settings, read-only
	KindSimulator   = "simulator"   // the embedded simulator, read-only
)

// SimulatorSlug and SimulatorName name the embedded simulator's connection.
const (
	SimulatorSlug = "simulator"
	SimulatorName = "Simulator (built in)"
)

// The seed's patterns for a region's token URL and an organization's API URL.
const (
	tokenURLPattern = "https://myaspect.%s.id.aspect-cloud.net/tokenservice/oauth2/access_token"
	apiURLPattern   = "https://%s.via.aspect-cloud.net"
)

// Regions are the region codes the form offers; others are accepted.
var Regions = []string{"us1", "us2", "eu1", "eu2", "uk1", "ca1", "au1"}

// Limits on what a connection holds.
const (
	maxNameChars   = 100
	maxURLChars    = 2048
	maxIDChars     = 256
	maxSecretChars = 4096
	maxKeysBytes   = 64 << 10
	maxKeys        = 10
)

// Connection is an Alvaria tenant as the console shows it: never its
// secrets, only whether they are set.
type Connection struct {
	Slug            string
	Name            string
	Kind            string
	Region          string
	APIURL          string
	TokenURL        string
	OrgID           string
	ClientID        string
	HasClientSecret bool
	HasAPIKey       bool
	CallbackKeysPEM string // public keys: not secret
	Keys            []KeyInfo
	DefaultWorkType string
	Disabled        bool
	// CallbackPath is where Alvaria posts this connection's callbacks,
	// under PARLEY_PUBLIC_URL; CallbackURL is the whole URL to register.
	CallbackPath string
	CallbackURL  string
	// LegacyPath is true for the default connection, whose callbacks are
	// also taken on the old /webhooks/server-messaging.
	LegacyPath bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// ReadOnly reports whether the console may change the connection.
func (c Connection) ReadOnly() bool { return c.Kind != KindStored }

// KeyInfo describes one callback public key.
type KeyInfo struct {
	Fingerprint string // SHA-256 of the key's DER, the first 16 hex digits
	Bits        int
}

// Input is what an admin fills in to add or change a connection. An empty
// ClientSecret or APIKey on a change keeps the stored one.
type Input struct {
	Name            string
	Region          string
	APIURL          string
	TokenURL        string
	OrgID           string
	ClientID        string
	ClientSecret    string
	APIKey          string
	CallbackKeys    string
	DefaultWorkType string
	By              accounts.Actor
}

var regionPattern = regexp.MustCompile(`^[a-z]{2,4}[0-9]{0,2}$`)

// normalize trims the input, fills the URLs from the region and the
// organization when they are empty, and names every problem. creating
// requires the secrets.
func (in *Input) normalize(creating bool) ([]*rsa.PublicKey, error) {
	for _, f := range []*string{&in.Name, &in.Region, &in.APIURL, &in.TokenURL, &in.OrgID, &in.ClientID, &in.DefaultWorkType} {
		*f = strings.TrimSpace(*f)
	}
	in.Region = strings.ToLower(in.Region)
	if in.TokenURL == "" && in.Region != "" && regionPattern.MatchString(in.Region) {
		in.TokenURL = fmt.Sprintf(tokenURLPattern, in.Region)
	}
	if in.APIURL == "" && in.OrgID != "" && hostLabel.MatchString(in.OrgID) {
		in.APIURL = fmt.Sprintf(apiURLPattern, in.OrgID)
	}
	problems := &input.Error{}
	text := func(field, v string, required bool, max int) {
		switch {
		case v == "" && required:
			problems.Add(field, "is required")
		case utf8.RuneCountInString(v) > max:
			problems.Add(field, fmt.Sprintf("is longer than %d characters", max))
		case strings.ContainsFunc(v, func(r rune) bool { return r < ' ' || r == 0x7f }):
			problems.Add(field, "holds a control character")
		}
	}
	text("name", in.Name, true, maxNameChars)
	text("orgId", in.OrgID, true, maxIDChars)
	text("clientId", in.ClientID, true, maxIDChars)
	text("defaultWorkType", in.DefaultWorkType, false, alvaria.MaxWorkTypeIDChars)
	if in.Region != "" && !regionPattern.MatchString(in.Region) {
		problems.Add("region", "is not a region code such as us1 or eu1")
	}
	for _, u := range []struct{ field, v string }{{"apiUrl", in.APIURL}, {"tokenUrl", in.TokenURL}} {
		if u.v == "" {
			problems.Add(u.field, "is required (or give the region and organization to fill it in)")
			continue
		}
		text(u.field, u.v, true, maxURLChars)
		if err := checkURL(u.v); err != nil {
			problems.Add(u.field, err.Error())
		}
	}
	for _, s := range []struct{ field, v string }{{"clientSecret", in.ClientSecret}, {"apiKey", in.APIKey}} {
		if s.v == "" {
			if creating {
				problems.Add(s.field, "is required")
			}
			continue
		}
		text(s.field, s.v, true, maxSecretChars)
	}
	var keys []*rsa.PublicKey
	if strings.TrimSpace(in.CallbackKeys) == "" {
		problems.Add("callbackKeys", "needs at least one PEM public key (Alvaria sends it once the callback URL is registered)")
	} else if len(in.CallbackKeys) > maxKeysBytes {
		problems.Add("callbackKeys", fmt.Sprintf("is larger than %d KiB", maxKeysBytes>>10))
	} else {
		var err error
		keys, in.CallbackKeys, err = parseKeys(in.CallbackKeys)
		if err != nil {
			problems.Add("callbackKeys", err.Error())
		}
	}
	return keys, problems.Err()
}

// hostLabel is what an organization id must look like to be put in a host
// name; other ids need the API URL typed in.
var hostLabel = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

func checkURL(s string) error {
	if err := alvaria.CheckBaseURL(s); err != nil {
		return err
	}
	if strings.ContainsAny(s, "?#") {
		return fmt.Errorf("must not have a query or fragment")
	}
	return nil
}

// parseKeys reads one or more PEM public keys and returns them with the
// PEM text as Parley keeps it (each key re-encoded, nothing else).
func parseKeys(text string) ([]*rsa.PublicKey, string, error) {
	data := []byte(text)
	var keys []*rsa.PublicKey
	var out strings.Builder
	for {
		block, rest := pem.Decode(data)
		if block == nil {
			if strings.TrimSpace(string(data)) != "" && len(keys) == 0 {
				return nil, "", fmt.Errorf("is not PEM: paste keys that begin with -----BEGIN PUBLIC KEY-----")
			}
			break
		}
		data = rest
		one := pem.EncodeToMemory(block)
		key, err := alvaria.ParsePublicKeyPEM(one)
		if err != nil {
			return nil, "", fmt.Errorf("key %d: %s", len(keys)+1, strings.TrimPrefix(err.Error(), "parse public key: "))
		}
		if key.N.BitLen() < 2048 {
			return nil, "", fmt.Errorf("key %d has %d bits; Alvaria's keys have 2048 or more", len(keys)+1, key.N.BitLen())
		}
		keys = append(keys, key)
		out.Write(one)
	}
	if len(keys) == 0 {
		return nil, "", fmt.Errorf("holds no PEM public key")
	}
	if len(keys) > maxKeys {
		return nil, "", fmt.Errorf("holds %d keys; keep at most %d (the current and the next)", len(keys), maxKeys)
	}
	return keys, out.String(), nil
}

// keyInfo fingerprints a key for the page, so an admin can tell which
// keys are listed without reading PEM.
func keyInfo(k *rsa.PublicKey) KeyInfo {
	der, _ := x509.MarshalPKIXPublicKey(k)
	sum := sha256.Sum256(der)
	return KeyInfo{Fingerprint: hex.EncodeToString(sum[:8]), Bits: k.N.BitLen()}
}

// Slug makes a URL-safe slug from a name: lower-case letters, digits and
// dashes.
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	s := strings.Trim(b.String(), "-")
	if s == "" {
		s = "connection"
	}
	return s
}
