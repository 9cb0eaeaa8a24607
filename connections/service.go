// Package connections keeps Parley's Alvaria connections: the tenants
// admins add in the console (stored with sealed secrets), the one the
// ALVARIA_* settings define and the embedded simulator. It gives each its
// own API client (token cache and HTTP client), verifies callbacks with
// that connection's keys only, tests connections, and keeps the recent
// callbacks of each for diagnostics.
package connections

import (
	"context"
	"crypto/rsa"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/alvaria"
	"github.com/parley-dev/parley/conversation"
	"github.com/parley-dev/parley/live"
	"github.com/parley-dev/parley/seal"
	"github.com/parley-dev/parley/store"
)

// TopicConnections is told the slug of each connection that changed, so
// every instance rebuilds its client and keys at once.
const TopicConnections = "connections"

// LegacyCallbackPath is the callback path from before connections: it is
// the default connection's.
const LegacyCallbackPath = "/webhooks/server-messaging"

// ErrNotFound means there is no connection with that slug.
var ErrNotFound = conversation.ErrUnknownConnection

// Auditor appends to the audit trail.
type Auditor interface {
	Record(ctx context.Context, a accounts.Actor, action, target, detail string) error
}

// Builtin is a connection from settings rather than the database.
type Builtin struct {
	Slug, Name, Kind string
	Client           alvaria.Config // with its secrets
	Keys             []*rsa.PublicKey
	// Callback token checks beyond the signature, from the settings.
	Issuer, Audience string
	MaxLifetime      time.Duration
}

// Config carries the service's dependencies.
type Config struct {
	Store *store.Store
	Box   *seal.Box
	// PublicURL is PARLEY_PUBLIC_URL, for the callback URLs shown.
	PublicURL string
	// Builtins come first in every list; the first is the default, whose
	// callbacks also arrive on LegacyCallbackPath.
	Builtins []Builtin
	Observer alvaria.Observer
	Live     live.Broker
	Audit    Auditor
	Log      *slog.Logger
	Now      func() time.Time
	// HTTPTimeout bounds each call of a connection's client; 0 means
	// alvaria.DefaultHTTPTimeout.
	HTTPTimeout time.Duration
}

// entry is one connection ready for use: its client and its keys.
type entry struct {
	conn         Connection
	client       *alvaria.Client
	cfg          alvaria.Config // with the secrets, for Test
	verifiers    []*alvaria.Verifier
	verifyConfig alvaria.VerifierConfig
}

// Service is the connections service. It is safe for concurrent use.
type Service struct {
	cfg      Config
	log      *slog.Logger
	now      func() time.Time
	builtins []*entry
	diag     *diagnostics

	// reloading makes reloads one at a time, so a slow one that read the
	// database before a change cannot swap in its older view after a
	// later one.
	reloading sync.Mutex
	mu        sync.RWMutex
	stored    map[string]*entry
	order     []string // stored slugs by name
}

// New builds the service and loads the stored connections. It fails when a
// stored secret does not open with the key: starting anyway would fail
// every session on those connections later, far from the cause.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Live == nil {
		cfg.Live = live.NewHub()
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	svc := &Service{cfg: cfg, log: cfg.Log, now: cfg.Now, stored: map[string]*entry{}, diag: newDiagnostics(cfg.Now)}
	for i, b := range cfg.Builtins {
		e, err := svc.builtinEntry(b, i == 0)
		if err != nil {
			return nil, fmt.Errorf("connection %q: %w", b.Name, err)
		}
		svc.builtins = append(svc.builtins, e)
	}
	if err := svc.reloadAll(ctx); err != nil {
		return nil, err
	}
	return svc, nil
}

func (svc *Service) builtinEntry(b Builtin, isDefault bool) (*entry, error) {
	c := Connection{
		Slug: b.Slug, Name: b.Name, Kind: b.Kind, APIURL: b.Client.APIURL, TokenURL: b.Client.TokenURL,
		OrgID: b.Client.OrgID, ClientID: b.Client.ClientID, HasClientSecret: b.Client.ClientSecret != "", HasAPIKey: b.Client.APIKey != "",
	}
	var pems strings.Builder
	for _, k := range b.Keys {
		pems.Write(publicKeyPEM(k))
	}
	c.CallbackKeysPEM = pems.String()
	return svc.build(c, b.Client, b.Keys, alvaria.VerifierConfig{Issuer: b.Issuer, Audience: b.Audience, MaxLifetime: b.MaxLifetime}, isDefault)
}

// build makes a connection's client and verifiers. Each connection has its
// own HTTP client and token cache, so one tenant's tokens, connections and
// timeouts never serve another.
func (svc *Service) build(c Connection, ac alvaria.Config, keys []*rsa.PublicKey, vc alvaria.VerifierConfig, isDefault bool) (*entry, error) {
	timeout := svc.cfg.HTTPTimeout
	if timeout == 0 {
		timeout = alvaria.DefaultHTTPTimeout
	}
	if ac.HTTPClient == nil {
		ac.HTTPClient = &http.Client{Timeout: timeout, Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	ac.Observer = svc.cfg.Observer
	client, err := alvaria.NewClient(ac)
	if err != nil {
		return nil, err
	}
	e := &entry{client: client, cfg: ac, verifyConfig: vc}
	for _, k := range keys {
		vc.PublicKey = k
		vc.Now = svc.now
		v, err := alvaria.NewVerifier(vc)
		if err != nil {
			return nil, err
		}
		e.verifiers = append(e.verifiers, v)
		c.Keys = append(c.Keys, keyInfo(k))
	}
	c.CallbackPath = LegacyCallbackPath + "/" + c.Slug
	c.CallbackURL = svc.cfg.PublicURL + c.CallbackPath
	c.LegacyPath = isDefault
	e.conn = c
	return e, nil
}

// reloadAll reads every stored connection and rebuilds them all: after a
// change here or on another instance, so a disabled connection stops being
// used at once and a changed one gets a new client and token cache.
func (svc *Service) reloadAll(ctx context.Context) error {
	svc.reloading.Lock()
	defer svc.reloading.Unlock()
	rows, err := svc.cfg.Store.ListConnections(ctx)
	if err != nil {
		return err
	}
	stored := make(map[string]*entry, len(rows))
	order := make([]string, 0, len(rows))
	svc.mu.RLock()
	old := svc.stored
	svc.mu.RUnlock()
	for _, row := range rows {
		// An unchanged connection keeps its client, and so its token.
		e := old[row.Slug]
		if e == nil || !e.conn.UpdatedAt.Equal(row.UpdatedAt) {
			if e, err = svc.storedEntry(row); err != nil {
				return err
			}
		}
		stored[row.Slug] = e
		order = append(order, row.Slug)
	}
	svc.mu.Lock()
	svc.stored, svc.order = stored, order
	svc.mu.Unlock()
	return nil
}

// storedEntry opens a stored connection's secrets and builds it.
func (svc *Service) storedEntry(row store.Connection) (*entry, error) {
	secret, err := svc.cfg.Box.Open(row.ClientSecretSealed, secretLabel(row.Slug, "client_secret"))
	if err != nil {
		return nil, fmt.Errorf("connection %q: client secret: %w", row.Name, err)
	}
	apiKey, err := svc.cfg.Box.Open(row.APIKeySealed, secretLabel(row.Slug, "api_key"))
	if err != nil {
		return nil, fmt.Errorf("connection %q: API key: %w", row.Name, err)
	}
	keys, _, err := parseKeys(row.CallbackKeys)
	if err != nil {
		// They were checked when saved; a damaged row takes no callbacks
		// (each is rejected with an unknown key) rather than stop Parley.
		svc.log.Error("connection callback keys unreadable; its callbacks will be rejected", "connection", row.Slug, "err", err)
	}
	c := Connection{
		Slug: row.Slug, Name: row.Name, Kind: KindStored, Region: row.Region, APIURL: row.APIURL, TokenURL: row.TokenURL,
		OrgID: row.OrgID, ClientID: row.ClientID, HasClientSecret: secret != "", HasAPIKey: apiKey != "",
		CallbackKeysPEM: row.CallbackKeys, DefaultWorkType: row.DefaultWorkType, Disabled: row.Disabled,
		CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt,
	}
	ac := alvaria.Config{APIURL: row.APIURL, TokenURL: row.TokenURL, OrgID: row.OrgID, ClientID: row.ClientID, ClientSecret: secret, APIKey: apiKey}
	e, err := svc.build(c, ac, keys, alvaria.VerifierConfig{}, false)
	if err != nil {
		return nil, fmt.Errorf("connection %q: %w", row.Name, err)
	}
	return e, nil
}

// secretLabel binds a sealed secret to its connection and field.
func secretLabel(slug, field string) string { return "connection " + slug + " " + field }

// lookup returns the entry with this slug, built in or stored.
func (svc *Service) lookup(slug string) (*entry, bool) {
	for _, e := range svc.builtins {
		if e.conn.Slug == slug {
			return e, true
		}
	}
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	e, ok := svc.stored[slug]
	return e, ok
}

// byName returns the connection named name, in any case.
func (svc *Service) byName(name string) (*entry, bool) {
	for _, e := range svc.all() {
		if strings.EqualFold(e.conn.Name, name) {
			return e, true
		}
	}
	return nil, false
}

// all returns every entry, built-in ones first, then stored by name.
func (svc *Service) all() []*entry {
	out := append([]*entry(nil), svc.builtins...)
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	for _, slug := range svc.order {
		out = append(out, svc.stored[slug])
	}
	return out
}

// defaultSlug is the connection of the old callback path and of sessions
// from before connections.
func (svc *Service) defaultSlug() string {
	if len(svc.builtins) == 0 {
		return ""
	}
	return svc.builtins[0].conn.Slug
}

// List returns every connection: built-in ones first, then by name.
func (svc *Service) List(ctx context.Context) ([]Connection, error) {
	var out []Connection
	for _, e := range svc.all() {
		out = append(out, e.conn)
	}
	return out, nil
}

// Get returns one connection.
func (svc *Service) Get(ctx context.Context, slug string) (Connection, error) {
	e, ok := svc.lookup(slug)
	if !ok {
		return Connection{}, ErrNotFound
	}
	return e.conn, nil
}

// Route returns the client of the connection with this slug for the
// conversation service: "" is the default connection (sessions from before
// connections ran on it). A disabled connection is refused.
func (svc *Service) Route(_ context.Context, slug string) (conversation.Route, error) {
	if slug == "" {
		slug = svc.defaultSlug()
	}
	e, ok := svc.lookup(slug)
	if !ok {
		// A scenario may name its connection as people see it.
		e, ok = svc.byName(slug)
	}
	if !ok {
		return conversation.Route{}, fmt.Errorf("connection %q: %w", slug, ErrNotFound)
	}
	if e.conn.Disabled {
		return conversation.Route{}, &conversation.ConnectionDisabledError{Name: e.conn.Name}
	}
	return conversation.Route{Slug: e.conn.Slug, Name: e.conn.Name, Client: e.client, DefaultWorkType: e.conn.DefaultWorkType}, nil
}

// Changed tells every instance (this one included) that a connection
// changed. A lost notice leaves another instance on the old settings until
// its next notice or restart, so it is logged.
func (svc *Service) changed(ctx context.Context, slug string) {
	if err := svc.reloadAll(ctx); err != nil {
		svc.log.Error("rebuild connection after a change", "connection", slug, "err", err)
	}
	if err := svc.cfg.Live.Publish(ctx, TopicConnections, slug); err != nil {
		svc.log.Warn("tell other instances of a connection change", "connection", slug, "err", err)
	}
}

// Watch rebuilds connections that other instances changed, until ctx ends.
func (svc *Service) Watch(ctx context.Context) {
	sub := svc.cfg.Live.Subscribe(TopicConnections)
	defer sub.Close()
	for {
		select {
		case <-ctx.Done():
			return
		case <-sub.Ready():
		}
		// Connections are few: rebuilding them all is simpler than one,
		// and right for renames, which move one in the list.
		sub.Take()
		if err := svc.reloadAll(ctx); err != nil && ctx.Err() == nil {
			svc.log.Error("reload connections after a change", "err", err)
		}
	}
}
