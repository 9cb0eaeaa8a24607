package scenario_test

import (
	"os"
	"testing"

	"github.com/parley-dev/parley/scenario"
)

// FuzzParse checks that no script, however broken, panics the parser, and
// that what parses gives steps that can be described.
func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile("testdata/order-status.yaml"); err == nil {
		f.Add(data)
	}
	f.Add([]byte("name: x\nworkTypeId: 1\ncontactName: A\nsteps:\n  - say: hi\n  - expect: agent_message\n    matches: \"(a|b)+\"\n"))
	f.Add([]byte("steps: [{expect: rerouted, agentAlias: Omar}, {end: true}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := scenario.Parse(data)
		if err != nil {
			return
		}
		for _, s := range sc.Steps {
			_ = s.String()
		}
		_ = scenario.Record(scenario.Recording{Name: sc.Name, WorkTypeID: sc.WorkTypeID, ContactName: sc.ContactName})
	})
}
