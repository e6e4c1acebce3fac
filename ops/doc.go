// Package ops holds every op graft computes with. Each op keeps three things
// side by side: its shape rule (Infer), its kernel for float32 and float64
// (Forward, working on the backing slices), and its gradient rule (Grad),
// written with ops so that it can be differentiated again.
//
// Builders such as Add, MatMul and Sum take and return *graph.Node. A mistake
// (shapes that do not broadcast, say) does not panic: it is recorded on the
// graph with the op, the shapes and the caller's file:line, and
// graph.Compile returns it.
//
// Elementwise binary ops broadcast with NumPy's rules: shapes are aligned on
// their last axis, and an axis of size 1 (or a missing leading axis) stretches
// to match the other operand. Operands must have the same dtype; graft never
// converts implicitly.
//
// Axes may be negative: -1 is the last axis.
package ops
