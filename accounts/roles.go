package accounts

// Roles. An operator runs conversations, QA reviews them, an admin does
// everything and manages people. The store keeps them as these strings.
const (
	RoleOperator = "operator"
	RoleQA       = "qa"
	RoleAdmin    = "admin"
)

// Permission is something a role may do.
type Permission string

// Permissions. Reading transcripts needs only a signed-in user.
const (
	Converse    Permission = "converse"     // start sessions, send, end
	Review      Permission = "review"       // QA verdicts and notes
	Export      Permission = "export"       // transcripts and lists as files
	ManageUsers Permission = "manage-users" // users and the audit trail
)

var grants = map[string][]Permission{
	RoleOperator: {Converse},
	RoleQA:       {Review, Export},
	RoleAdmin:    {Converse, Review, Export, ManageUsers},
}

// Roles lists the roles in the order a form offers them.
var Roles = []string{RoleOperator, RoleQA, RoleAdmin}

// Principal is the signed-in person.
type Principal struct {
	ID       int64
	Username string
	Role     string
}

// Can reports whether the person's role grants p.
func (p Principal) Can(perm Permission) bool {
	for _, g := range grants[p.Role] {
		if g == perm {
			return true
		}
	}
	return false
}

// Anonymous reports whether nobody is signed in.
func (p Principal) Anonymous() bool { return p.Username == "" }
