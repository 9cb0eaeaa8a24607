package views

import "context"

// Viewer is the signed-in person as the pages need them: who they are, the
// token their forms carry, and which controls to show. Handlers work out
// the permissions; views only show or hide.
type Viewer struct {
	Username  string
	Role      string
	CSRFToken string
	Converse  bool // start, send, end
	Review    bool
	Export    bool
	Admin     bool
}

type viewerKey struct{}

// WithViewer puts the viewer in the request's context for every component.
func WithViewer(ctx context.Context, v Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// ViewerFrom returns the viewer, or the zero Viewer when nobody is signed in.
func ViewerFrom(ctx context.Context) Viewer {
	v, _ := ctx.Value(viewerKey{}).(Viewer)
	return v
}
