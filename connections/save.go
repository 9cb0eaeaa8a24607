package connections

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/parley-dev/parley/accounts"
	"github.com/parley-dev/parley/input"
	"github.com/parley-dev/parley/store"
)

// ErrReadOnly means a change was asked of a connection from the settings.
var ErrReadOnly = errors.New("this connection comes from Parley's settings and cannot be changed in the console")

// Create stores a new connection and returns it; its slug, made from its
// name, never changes.
func (svc *Service) Create(ctx context.Context, in Input) (Connection, error) {
	if _, err := in.normalize(true); err != nil {
		return Connection{}, err
	}
	if err := svc.checkName(in.Name, ""); err != nil {
		return Connection{}, err
	}
	slug, err := svc.freeSlug(ctx, Slug(in.Name))
	if err != nil {
		return Connection{}, err
	}
	row := store.Connection{Slug: slug, CreatedAt: svc.now()}
	if err := svc.fill(&row, in); err != nil {
		return Connection{}, err
	}
	if err := svc.cfg.Store.CreateConnection(ctx, &row); err != nil {
		return Connection{}, nameTaken(err)
	}
	svc.changed(ctx, slug)
	svc.record(ctx, in.By, accounts.ActionConnectionCreate, slug, fmt.Sprintf("%s: API %s, token %s, org %s, %d callback key(s)", row.Name, row.APIURL, row.TokenURL, row.OrgID, strings.Count(row.CallbackKeys, "-----BEGIN")))
	return svc.Get(ctx, slug)
}

// Update changes a stored connection; an empty secret keeps the stored one.
// Its client and keys are rebuilt at once, on every instance.
func (svc *Service) Update(ctx context.Context, slug string, in Input) (Connection, error) {
	old, err := svc.storedRow(ctx, slug)
	if err != nil {
		return Connection{}, err
	}
	if _, err := in.normalize(false); err != nil {
		return Connection{}, err
	}
	if err := svc.checkName(in.Name, slug); err != nil {
		return Connection{}, err
	}
	row := old
	row.UpdatedAt = svc.now()
	if err := svc.fill(&row, in); err != nil {
		return Connection{}, err
	}
	if err := svc.cfg.Store.UpdateConnection(ctx, &row); err != nil {
		return Connection{}, nameTaken(err)
	}
	svc.changed(ctx, slug)
	svc.record(ctx, in.By, accounts.ActionConnectionUpdate, slug, changes(old, row, in))
	return svc.Get(ctx, slug)
}

// SetDisabled disables or enables a stored connection: disabled, it starts
// no session, sends nothing and takes no callback, here and on every
// instance, from now.
func (svc *Service) SetDisabled(ctx context.Context, slug string, disabled bool, by accounts.Actor) error {
	row, err := svc.storedRow(ctx, slug)
	if err != nil {
		return err
	}
	if row.Disabled == disabled {
		return nil
	}
	row.Disabled, row.UpdatedAt = disabled, svc.now()
	if err := svc.cfg.Store.UpdateConnection(ctx, &row); err != nil {
		return err
	}
	svc.changed(ctx, slug)
	action := accounts.ActionConnectionEnable
	if disabled {
		action = accounts.ActionConnectionDisable
	}
	svc.record(ctx, by, action, slug, row.Name)
	return nil
}

func (svc *Service) storedRow(ctx context.Context, slug string) (store.Connection, error) {
	if e, ok := svc.lookup(slug); ok && e.conn.ReadOnly() {
		return store.Connection{}, ErrReadOnly
	}
	row, err := svc.cfg.Store.GetConnection(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		return row, ErrNotFound
	}
	return row, err
}

// fill copies the input into row, sealing the secrets it gives.
func (svc *Service) fill(row *store.Connection, in Input) error {
	row.Name, row.Region, row.APIURL, row.TokenURL = in.Name, in.Region, in.APIURL, in.TokenURL
	row.OrgID, row.ClientID, row.CallbackKeys, row.DefaultWorkType = in.OrgID, in.ClientID, in.CallbackKeys, in.DefaultWorkType
	for _, s := range []struct {
		plain, field string
		into         *string
	}{{in.ClientSecret, "client_secret", &row.ClientSecretSealed}, {in.APIKey, "api_key", &row.APIKeySealed}} {
		if s.plain == "" {
			continue
		}
		sealed, err := svc.cfg.Box.Seal(s.plain, secretLabel(row.Slug, s.field))
		if err != nil {
			return fmt.Errorf("seal the %s: %w", s.field, err)
		}
		*s.into = sealed
	}
	return nil
}

// checkName refuses the name of a built-in connection; the database
// refuses a stored one's.
func (svc *Service) checkName(name, slug string) error {
	for _, e := range svc.builtins {
		if strings.EqualFold(e.conn.Name, name) {
			return input.Invalid("name", fmt.Sprintf("%q is the name of a connection from Parley's settings; choose another", name))
		}
	}
	return nil
}

func nameTaken(err error) error {
	if errors.Is(err, store.ErrConflict) {
		return input.Invalid("name", "another connection has this name; choose another")
	}
	return err
}

// freeSlug returns base, or base-2, base-3… when it is taken by a stored or
// built-in connection.
func (svc *Service) freeSlug(ctx context.Context, base string) (string, error) {
	for i := 1; i < 100; i++ {
		slug := base
		if i > 1 {
			slug = fmt.Sprintf("%s-%d", base, i)
		}
		if _, ok := svc.lookup(slug); ok || slug == SimulatorSlug {
			continue
		}
		_, err := svc.cfg.Store.GetConnection(ctx, slug)
		if errors.Is(err, store.ErrNotFound) {
			return slug, nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", input.Invalid("name", "too many connections have names like this one; choose another")
}

// changes names what an update changed, for the audit trail. A secret is
// named when replaced, never shown.
func changes(old, row store.Connection, in Input) string {
	var out []string
	for _, f := range []struct{ name, was, is string }{
		{"name", old.Name, row.Name}, {"region", old.Region, row.Region}, {"API URL", old.APIURL, row.APIURL},
		{"token URL", old.TokenURL, row.TokenURL}, {"organization", old.OrgID, row.OrgID}, {"client id", old.ClientID, row.ClientID},
		{"default work type", old.DefaultWorkType, row.DefaultWorkType},
	} {
		if f.was != f.is {
			out = append(out, fmt.Sprintf("%s %q → %q", f.name, f.was, f.is))
		}
	}
	if old.CallbackKeys != row.CallbackKeys {
		out = append(out, fmt.Sprintf("callback keys now %d", strings.Count(row.CallbackKeys, "-----BEGIN")))
	}
	if in.ClientSecret != "" {
		out = append(out, "client secret replaced")
	}
	if in.APIKey != "" {
		out = append(out, "API key replaced")
	}
	if len(out) == 0 {
		return row.Name + ": nothing changed"
	}
	return row.Name + ": " + strings.Join(out, "; ")
}

func (svc *Service) record(ctx context.Context, a accounts.Actor, action, target, detail string) {
	if svc.cfg.Audit != nil {
		svc.cfg.Audit.Record(context.WithoutCancel(ctx), a, action, target, detail)
	}
}
