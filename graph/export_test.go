package graph

// ArenaLen reports how many float32 and float64 elements the program's
// buffer arenas hold, so tests outside the package can see buffer reuse.
func ArenaLen(p *Program) (f32, f64 int) { return len(p.f32), len(p.f64) }

// HoldAdding makes g look as if another goroutine were adding a node until
// release is called, so a test can see what a racing builder gets.
func HoldAdding(g *Graph) (release func()) {
	g.adding.Store(true)
	return func() { g.adding.Store(false) }
}
