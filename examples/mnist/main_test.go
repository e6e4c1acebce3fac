package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"graft/data"
	"graft/graph"
	"graft/layers"
	"graft/optim"
)

// side is the synthetic images' height and width: the smallest the cnn
// model takes, and small enough that a run takes milliseconds.
const side = 12

// digitImages draws n synthetic 12x12 "digits": digit d lights row d (and
// for 8 and 9 also column 2 or 9), under uniform noise, so that a small
// network can tell them apart in a few epochs.
func digitImages(n int, seed uint64) (images, labels []uint8) {
	rng := rand.New(rand.NewPCG(seed, 7))
	images, labels = make([]uint8, n*side*side), make([]uint8, n)
	for i := range n {
		d := rng.IntN(classes)
		labels[i] = uint8(d)
		img := images[i*side*side : (i+1)*side*side]
		for p := range img {
			img[p] = uint8(rng.IntN(80))
		}
		for c := range side {
			img[(d%8+2)*side+c] = 200 + uint8(rng.IntN(56))
			if d >= 8 {
				img[c*side+2+7*(d-8)] = 255
			}
		}
	}
	return images, labels
}

// writeIDX writes t to dir/name, gzipped when name ends in .gz.
func writeIDX(t *testing.T, dir, name string, v *tensor.Dense) {
	t.Helper()
	var b bytes.Buffer
	if strings.HasSuffix(name, ".gz") {
		zw := gzip.NewWriter(&b)
		if err := data.WriteIDX(zw, v); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	} else if err := data.WriteIDX(&b, v); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeSet writes images and labels under MNIST's names; gz false drops
// the .gz and writes them uncompressed.
func writeSet(t *testing.T, dir, imagesName, labelsName string, images, labels []uint8, gz bool) {
	t.Helper()
	if !gz {
		imagesName, labelsName = strings.TrimSuffix(imagesName, ".gz"), strings.TrimSuffix(labelsName, ".gz")
	}
	n := len(labels)
	writeIDX(t, dir, imagesName, tensor.New(tensor.WithShape(n, len(images)/n/side, side), tensor.WithBacking(images)))
	writeIDX(t, dir, labelsName, tensor.New(tensor.WithShape(n), tensor.WithBacking(labels)))
}

// syntheticMNIST writes 300 training and 100 test digits into a new
// directory and returns it.
func syntheticMNIST(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	images, labels := digitImages(300, 1)
	writeSet(t, dir, trainImagesFile, trainLabelsFile, images, labels, true)
	images, labels = digitImages(100, 2)
	writeSet(t, dir, testImagesFile, testLabelsFile, images, labels, true)
	return dir
}

func runMNIST(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return out.String(), errOut.String(), code
}

func runJSON(t *testing.T, args ...string) summary {
	t.Helper()
	out, errOut, code := runMNIST(t, append([]string{"--json"}, args...)...)
	if code != 0 {
		t.Fatalf("mnist %v: exit %d, stderr %q", args, code, errOut)
	}
	var s summary
	if err := json.Unmarshal([]byte(out), &s); err != nil || strings.Count(out, "\n") != 1 {
		t.Fatalf("mnist %v printed %q, not one JSON line: %v", args, out, err)
	}
	return s
}

func TestLoadsPixelsInZeroOneAndLabelsAsClassIDs(t *testing.T) {
	images := []uint8{0, 51, 255, 102} // two 1x2 images
	labels := []uint8{7, 0}
	for _, gz := range []bool{true, false} {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			dir := t.TempDir()
			writeIDX(t, dir, name(trainImagesFile, gz), tensor.New(tensor.WithShape(2, 1, 2), tensor.WithBacking(images)))
			writeIDX(t, dir, name(trainLabelsFile, gz), tensor.New(tensor.WithShape(2), tensor.WithBacking(labels)))
			writeIDX(t, dir, name(testImagesFile, gz), tensor.New(tensor.WithShape(1, 1, 2), tensor.WithBacking([]uint8{255, 0})))
			writeIDX(t, dir, name(testLabelsFile, gz), tensor.New(tensor.WithShape(1), tensor.WithBacking([]uint8{9})))
			for _, limit := range []int{0, 1} {
				trainSet, testSet, err := loadMNIST(dir, limit, dt)
				if err != nil {
					t.Fatalf("gzip %v, %v: %v", gz, dt, err)
				}
				n := 2
				if limit > 0 {
					n = limit
				}
				wantX, wantY := []float64{0, 0.2, 1, 0.4}[:2*n], []float64{7, 0}[:n]
				if !near(floats64(trainSet.images), wantX) || !near(floats64(trainSet.labels), wantY) ||
					!trainSet.images.Shape().Eq(tensor.Shape{n, 2}) || trainSet.images.Dtype() != dt || trainSet.labels.Dtype() != graph.Int64 {
					t.Errorf("gzip %v, %v, limit %d: images %v %v, labels %v; want %v and %v", gz, dt, limit, trainSet.images.Shape(), trainSet.images.Data(), trainSet.labels.Data(), wantX, wantY)
				}
				if testSet.len() != 1 || testSet.height != 1 || testSet.width != 2 || !near(floats64(testSet.labels), []float64{9}) {
					t.Errorf("gzip %v, %v: test set %+v", gz, dt, testSet)
				}
			}
		}
	}
}

func name(file string, gz bool) string {
	if gz {
		return file
	}
	return strings.TrimSuffix(file, ".gz")
}

func floats64(t *tensor.Dense) []float64 {
	if ids, ok := t.Data().([]int64); ok {
		var out []float64
		for _, v := range ids {
			out = append(out, float64(v))
		}
		return out
	}
	if t.Dtype() == tensor.Float32 {
		var out []float64
		for _, v := range t.Float32s() {
			out = append(out, float64(v))
		}
		return out
	}
	return t.Float64s()
}

func near(got, want []float64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > 1e-7 {
			return false
		}
	}
	return true
}

func TestLearnsSyntheticDigits(t *testing.T) {
	dir := syntheticMNIST(t)
	for _, dtype := range []string{"float32", "float64"} {
		s := runJSON(t, "--data", dir, "--epochs", "4", "--batch-size", "16", "--dtype", dtype)
		if s.TestAccuracy < 0.95 || s.EpochTestAccuracy[0] >= s.TestAccuracy && s.TestAccuracy < 1 {
			t.Errorf("%s: test accuracy per epoch %v; want the last at least 95%% and better than the first", dtype, s.EpochTestAccuracy)
		}
		if s.TrainImages != 300 || s.TestImages != 100 || s.Epochs != 4 || s.Steps != 4*19 || len(s.EpochSeconds) != 4 || s.Data != dir {
			t.Errorf("%s: summary %+v", dtype, s)
		}
		if want := 144*256 + 256 + 256*128 + 128 + 128*10 + 10; s.Params != want {
			t.Errorf("%s: %d parameters, want %d for 144-256-128-10", dtype, s.Params, want)
		}
	}
}

func TestSameSeedSameNumbers(t *testing.T) {
	dir := syntheticMNIST(t)
	args := []string{"--data", dir, "--epochs", "2", "--seed", "3", "--limit", "100"}
	a, b := runJSON(t, args...), runJSON(t, args...)
	for i := range a.EpochTrainLoss {
		if a.EpochTrainLoss[i] != b.EpochTrainLoss[i] || a.EpochTestLoss[i] != b.EpochTestLoss[i] {
			t.Errorf("epoch %d: losses %v, %v then %v, %v", i+1, a.EpochTrainLoss[i], a.EpochTestLoss[i], b.EpochTrainLoss[i], b.EpochTestLoss[i])
		}
	}
	if a.TrainImages != 100 || a.Steps != 2*2 {
		t.Errorf("--limit 100: %d images, %d steps; want 100 and 4", a.TrainImages, a.Steps)
	}
}

func TestPrintsEveryEpochAndTheTestAccuracy(t *testing.T) {
	dir := syntheticMNIST(t)
	out, errOut, code := runMNIST(t, "--data", dir, "--epochs", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"MNIST from " + dir + ": 300 training and 100 test images of 12x12 pixels", "model mlp, ", "epoch 1/2  loss ", "epoch 2/2  loss ", "test accuracy", "s per epoch"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestSaveThenLoadGivesTheSameTestScore(t *testing.T) {
	dir := syntheticMNIST(t)
	file := filepath.Join(t.TempDir(), "mlp.safetensors")
	trained := runJSON(t, "--data", dir, "--epochs", "1", "--save", file)
	loaded := runJSON(t, "--data", dir, "--epochs", "0", "--load", file, "--seed", "9")
	if loaded.TestLoss != trained.TestLoss || loaded.TestAccuracy != trained.TestAccuracy || loaded.Steps != 0 {
		t.Errorf("trained: loss %v accuracy %v; loaded: loss %v accuracy %v after %d steps", trained.TestLoss, trained.TestAccuracy, loaded.TestLoss, loaded.TestAccuracy, loaded.Steps)
	}
}

func TestWritesTheLossAndAccuracyCurves(t *testing.T) {
	dir := syntheticMNIST(t)
	for _, epochs := range []string{"1", "3"} {
		svg := filepath.Join(t.TempDir(), "curves.svg")
		runJSON(t, "--data", dir, "--epochs", epochs, "--plot", svg)
		b, err := os.ReadFile(svg)
		if err != nil || !bytes.Contains(b, []byte("<svg")) || !bytes.Contains(b, []byte("MNIST loss")) || !bytes.Contains(b, []byte("MNIST accuracy")) {
			t.Errorf("--epochs %s: plot %v, %.80q", epochs, err, b)
		}
	}
	if _, err := chart("t", "y", true, curve{"x", []float64{math.NaN()}, false}); err == nil {
		t.Error("a chart of only NaN drew")
	}
}

// --filters draws one tile of 5x5 grey squares per filter of conv1, in
// SVG or, for a .png name, in PNG; the MLP has no filters to draw.
func TestDrawsTheFirstLayersFilters(t *testing.T) {
	dir := syntheticMNIST(t)
	out := t.TempDir()
	svg, pngFile := filepath.Join(out, "filters.svg"), filepath.Join(out, "filters.png")
	runJSON(t, "--data", dir, "--model", "cnn", "--epochs", "1", "--filters", svg)
	b, err := os.ReadFile(svg)
	if err != nil || !bytes.HasPrefix(b, []byte("<svg")) || bytes.Count(b, []byte("<rect ")) != 1+16*25 || !bytes.Contains(b, []byte("16 learned filters of 5x5")) {
		t.Errorf("the SVG: %v, %d squares, %.200q", err, bytes.Count(b, []byte("<rect ")), b)
	}
	runJSON(t, "--data", dir, "--model", "cnn", "--epochs", "1", "--filters", pngFile)
	f, err := os.Open(pngFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	// 4x4 tiles of 5 squares of cellPixels, with tileGap around each.
	if side := 4*(5*cellPixels+tileGap) + tileGap; err != nil || img.Bounds().Dx() != side || img.Bounds().Dy() != side {
		t.Errorf("the PNG: %v, %v; want %dx%d pixels", err, img.Bounds(), side, side)
	}
}

func TestFilterGreysPutZeroAtMidGrey(t *testing.T) {
	g := graph.New()
	w := g.Param("conv1/W", tensor.New(tensor.WithShape(2, 1, 1, 2), tensor.WithBacking([]float64{-2, 1, 0, 0})))
	f, err := newFilterGrid(w)
	if err != nil {
		t.Fatal(err)
	}
	if got := [][]uint8{f.grey(0), f.grey(1)}; got[0][0] != 0 || got[0][1] != 191 || got[1][0] != 128 || got[1][1] != 128 {
		t.Errorf("greys %v; want [0 191] (127.5 + 127.5·w/2 for -2 and 1) and [128 128] (zeros)", got)
	}
	if _, err := newFilterGrid(g.Param("W", tensor.New(tensor.WithShape(2, 3, 1, 1), tensor.WithBacking(make([]float64, 6))))); err == nil || !strings.Contains(err.Error(), "(2, 3, 1, 1)") {
		t.Errorf("a filter of 3 channels: %v", err)
	}
}

func TestDivergedTrainingFailsAndSavesNothing(t *testing.T) {
	dir := syntheticMNIST(t)
	save := filepath.Join(t.TempDir(), "m.safetensors")
	out, errOut, code := runMNIST(t, "--data", dir, "--epochs", "3", "--lr", "1e300", "--save", save, "--json")
	var s map[string]any
	if err := json.Unmarshal([]byte(out), &s); err != nil || code != 1 || !strings.Contains(errOut, "diverged") || !strings.Contains(errOut, "not saved") {
		t.Fatalf("exit %d, stdout %q, stderr %q (%v); want status 1, the JSON line and the divergence", code, out, errOut, err)
	}
	if s["test_loss"] != nil {
		t.Errorf("a non-finite test loss is not null: %s", out)
	}
	if _, err := os.Stat(save); !os.IsNotExist(err) {
		t.Errorf("a diverged model was saved: %v", err)
	}
}

func TestCountCorrectNeverCountsANonFiniteRow(t *testing.T) {
	logits := make([]float64, 3*classes)
	logits[0*classes+4] = 1          // row 0 says 4
	logits[1*classes+0] = math.NaN() // row 1 has a NaN: wrong even though label 0 would match the first index
	logits[2*classes+9] = math.Inf(1)
	if got := countCorrect(logits, []float64{4, 0, 9}); got != 1 {
		t.Errorf("countCorrect = %d, want 1", got)
	}
}

// cnnParams is the cnn model's parameter count on side x side images:
// two 5x5 convolutions, then a dense head on the 32 channels of the
// pooled (side/2-4)/2 square.
func cnnParams() int {
	pooled := (side/2 - 4) / 2
	return 16*25 + 16 + 32*16*25 + 32 + 32*pooled*pooled*128 + 128 + 128*10 + 10
}

func TestCNNLearnsSyntheticDigits(t *testing.T) {
	dir := syntheticMNIST(t)
	s := runJSON(t, "--data", dir, "--model", "cnn", "--epochs", "4", "--batch-size", "16", "--lr", "0.003")
	if s.TestAccuracy < 0.9 || s.EpochTestAccuracy[0] >= s.TestAccuracy && s.TestAccuracy < 1 {
		t.Errorf("test accuracy per epoch %v; want the last at least 90%% and better than the first", s.EpochTestAccuracy)
	}
	if s.Model != "cnn" || s.Steps != 4*19 || s.Params != cnnParams() {
		t.Errorf("summary %+v; want cnn, 76 steps and %d parameters", s, cnnParams())
	}
}

// cnnState builds the cnn model on side x side images and returns its
// training state, as the command builds it.
func cnnState(t *testing.T) *trainingState {
	t.Helper()
	g, m := graph.New(), layers.NewModel(1)
	net, err := cnn(m, side, side)
	if err != nil {
		t.Fatal(err)
	}
	s, err := newTrainingState(g, m, net, optim.NewAdam(0.001), tensor.Float32, side*side)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// savedCounter reads the random-number counter from a training state of
// the cnn model on side x side images.
func savedCounter(t *testing.T, file string) float64 {
	t.Helper()
	s := cnnState(t)
	if err := s.load(file); err != nil {
		t.Fatal(err)
	}
	counter := s.plain.counter
	if counter == nil || counter.Name() != "rng/counter" {
		t.Fatalf("the cnn's checkpoint holds no rng/counter")
	}
	return graph.Float64s(counter.Value())[0]
}

// The cnn's checkpoint holds the random-number counter beside the
// parameters, one count per training step, and a loaded model scores the
// test images as the saved one did (dropout is off there). The MLP draws no
// random numbers, and its checkpoint holds its parameters (and Adam's
// slots for them) only.
func TestCNNSavesTheRandomCounterWithTheParameters(t *testing.T) {
	dir := syntheticMNIST(t)
	file := filepath.Join(t.TempDir(), "cnn.safetensors")
	trained := runJSON(t, "--data", dir, "--model", "cnn", "--epochs", "1", "--save", file)
	loaded := runJSON(t, "--data", dir, "--model", "cnn", "--epochs", "0", "--load", file)
	if loaded.TestLoss != trained.TestLoss || loaded.TestAccuracy != trained.TestAccuracy {
		t.Errorf("trained: loss %v accuracy %v; loaded: loss %v accuracy %v", trained.TestLoss, trained.TestAccuracy, loaded.TestLoss, loaded.TestAccuracy)
	}
	if got := savedCounter(t, file); got != float64(trained.Steps) {
		t.Errorf("rng/counter = %v after %d steps", got, trained.Steps)
	}

	mlpFile := filepath.Join(t.TempDir(), "mlp.safetensors")
	runJSON(t, "--data", dir, "--epochs", "1", "--save", mlpFile)
	g, m := graph.New(), layers.NewModel(1)
	net, _ := mlp(m, side, side)
	s, err := newTrainingState(g, m, net, optim.NewAdam(0.001), tensor.Float32, side*side)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Params) != 6 || len(s.States) != 0 {
		t.Errorf("the MLP checkpoints %v and %v; want its 6 parameters", s.Params, s.States)
	} else if err := s.load(mlpFile); err != nil {
		t.Errorf("the MLP's checkpoint: %v", err)
	} else if s.Epoch != 1 || s.Step != 5 {
		t.Errorf("the MLP's checkpoint is at epoch %d, step %d; want 1 and 5 (300 images, 64 a batch)", s.Epoch, s.Step)
	}
}

// A run resumed from a checkpoint goes on from the saved counter (a second
// checkpoint after as many steps again holds twice the count), and two runs
// resumed from one checkpoint train to the same numbers, bit for bit.
func TestCNNResumesFromTheSavedCounter(t *testing.T) {
	dir := syntheticMNIST(t)
	tmp := t.TempDir()
	first, again := filepath.Join(tmp, "first.safetensors"), filepath.Join(tmp, "again.safetensors")
	args := []string{"--data", dir, "--model", "cnn", "--batch-size", "32", "--epochs", "1"}
	s := runJSON(t, append(args, "--save", first)...)
	a := runJSON(t, append(args, "--load", first, "--save", again)...)
	b := runJSON(t, append(args, "--load", first)...)
	if a.EpochTrainLoss[0] != b.EpochTrainLoss[0] || a.TestLoss != b.TestLoss {
		t.Errorf("two runs resumed from one checkpoint differ: losses %v, %v and %v, %v", a.EpochTrainLoss[0], a.TestLoss, b.EpochTrainLoss[0], b.TestLoss)
	}
	if got := savedCounter(t, again); got != float64(s.Steps+a.Steps) {
		t.Errorf("rng/counter = %v after %d + %d steps", got, s.Steps, a.Steps)
	}
}

// Training 2 epochs, saving, and resuming for 1 more gives the numbers of 3
// epochs without a stop, bit for bit: the third epoch's losses and
// accuracies, and a saved state equal to the uninterrupted run's, Adam's
// slots, its step counts and the dropout counter included.
func TestResumedRunEqualsUninterruptedRun(t *testing.T) {
	dir := syntheticMNIST(t)
	for _, model := range []string{"mlp", "cnn"} {
		t.Run(model, func(t *testing.T) {
			tmp := t.TempDir()
			saved, resumed, whole := filepath.Join(tmp, "2.safetensors"), filepath.Join(tmp, "2+1.safetensors"), filepath.Join(tmp, "3.safetensors")
			args := []string{"--data", dir, "--model", model, "--batch-size", "32", "--limit", "200", "--lr", "0.003"}
			w := runJSON(t, append(args, "--epochs", "3", "--save", whole)...)
			runJSON(t, append(args, "--epochs", "2", "--save", saved)...)
			r := runJSON(t, append(args, "--epochs", "1", "--load", saved, "--save", resumed)...)
			if r.EpochTrainLoss[0] != w.EpochTrainLoss[2] || r.EpochTrainAccuracy[0] != w.EpochTrainAccuracy[2] ||
				r.TestLoss != w.TestLoss || r.TestAccuracy != w.TestAccuracy || r.Steps != w.Steps/3 {
				t.Errorf("resumed epoch 3: loss %v, accuracy %v, test loss %v, %d steps; uninterrupted: %v, %v, %v, %d steps in 3 epochs",
					r.EpochTrainLoss[0], r.EpochTrainAccuracy[0], r.TestLoss, r.Steps, w.EpochTrainLoss[2], w.EpochTrainAccuracy[2], w.TestLoss, w.Steps)
			}
			a, err := os.ReadFile(resumed)
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(whole)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("the state saved after 2+1 epochs (%d bytes) differs from the one after 3 (%d bytes)", len(a), len(b))
			}
		})
	}
}

// --load still reads the plain parameter checkpoints of earlier versions
// (the parameters, and for the cnn the counter as a vector of one float64)
// and scores the test images as the model saved in them.
func TestLoadsAPlainParameterCheckpoint(t *testing.T) {
	dir := syntheticMNIST(t)
	for _, model := range []string{"mlp", "cnn"} {
		t.Run(model, func(t *testing.T) {
			tmp := t.TempDir()
			state, plain := filepath.Join(tmp, "state.safetensors"), filepath.Join(tmp, "plain.safetensors")
			trained := runJSON(t, "--data", dir, "--model", model, "--epochs", "1", "--save", state)
			g, m := graph.New(), layers.NewModel(1)
			net, _ := models[model](m, side, side)
			s, err := newTrainingState(g, m, net, optim.NewAdam(0.001), tensor.Float32, side*side)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.load(state); err != nil {
				t.Fatal(err)
			}
			if err := s.plain.save(plain); err != nil {
				t.Fatal(err)
			}
			if isTrainingState(plain) || !isTrainingState(state) {
				t.Fatalf("isTrainingState tells the plain checkpoint from the training state wrongly")
			}
			loaded := runJSON(t, "--data", dir, "--model", model, "--epochs", "0", "--load", plain)
			if loaded.TestLoss != trained.TestLoss || loaded.TestAccuracy != trained.TestAccuracy {
				t.Errorf("trained: loss %v accuracy %v; loaded from a plain checkpoint: loss %v accuracy %v", trained.TestLoss, trained.TestAccuracy, loaded.TestLoss, loaded.TestAccuracy)
			}
			if model == "cnn" {
				if got := savedCounter(t, plain); got != float64(trained.Steps) {
					t.Errorf("rng/counter = %v in the plain checkpoint after %d steps", got, trained.Steps)
				}
			}
			runJSON(t, "--data", dir, "--model", model, "--epochs", "1", "--load", plain)
		})
	}
}

// --data wins over the module, and a directory missing a file, or holding a
// wrong one, fails with status 1 and names the file.
func TestDataDirectoryProblemsNameThePath(t *testing.T) {
	if got, err := locateData("/some/where"); got != "/some/where" || err != nil {
		t.Errorf("locateData(--data /some/where) = %q, %v", got, err)
	}
	missing := syntheticMNIST(t)
	os.Remove(filepath.Join(missing, testLabelsFile))

	badLabel := syntheticMNIST(t)
	writeIDX(t, badLabel, testLabelsFile, tensor.New(tensor.WithShape(100), tensor.WithBacking(bytes.Repeat([]uint8{12}, 100))))

	fewLabels := syntheticMNIST(t)
	writeIDX(t, fewLabels, trainLabelsFile, tensor.New(tensor.WithShape(3), tensor.WithBacking([]uint8{1, 2, 3})))

	notImages := syntheticMNIST(t)
	writeIDX(t, notImages, trainImagesFile, tensor.New(tensor.WithShape(300, 144), tensor.WithBacking(make([]float32, 300*144))))

	otherSize := syntheticMNIST(t)
	images, labels := digitImages(10, 3)
	writeIDX(t, otherSize, testImagesFile, tensor.New(tensor.WithShape(10, 24, 6), tensor.WithBacking(images)))
	writeIDX(t, otherSize, testLabelsFile, tensor.New(tensor.WithShape(10), tensor.WithBacking(labels)))

	corrupt := syntheticMNIST(t)
	os.WriteFile(filepath.Join(corrupt, trainImagesFile), []byte("<html>not found</html>"), 0o644)

	cases := []struct {
		dir  string
		args []string
		want []string
	}{
		{missing, nil, []string{filepath.Join(missing, testLabelsFile) + " is missing", "t10k-labels-idx1-ubyte"}},
		{badLabel, nil, []string{filepath.Join(badLabel, testLabelsFile) + ": label 0 is 12, not a digit"}},
		{fewLabels, nil, []string{"holds 300 images but " + filepath.Join(fewLabels, trainLabelsFile) + " 3 labels"}},
		{notImages, nil, []string{filepath.Join(notImages, trainImagesFile), "not MNIST's uint8 images"}},
		{otherSize, nil, []string{"the training images are 12x12 but the test images 24x6"}},
		{corrupt, nil, []string{"ReadIDX", filepath.Join(corrupt, trainImagesFile)}},
		{syntheticMNIST(t), []string{"--limit", "301"}, []string{"--limit is 301 but", "holds only 300 images"}},
	}
	for _, c := range cases {
		out, errOut, code := runMNIST(t, append([]string{"--data", c.dir}, c.args...)...)
		if code != 1 || out != "" || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want status 1 and one line", c.args, code, out, errOut)
		}
		for _, want := range c.want {
			if !strings.Contains(errOut, want) {
				t.Errorf("%s %v: stderr %q lacks %q", filepath.Base(c.dir), c.args, errOut, want)
			}
		}
	}
}

func TestFindsTheModuleInTheCacheFromTheBuildInfo(t *testing.T) {
	cache := t.TempDir()
	const version = "v0.0.0-20150320212226-2fbe10d0fa63"
	want := filepath.Join(cache, "github.com", "petar", "!go!m!n!i!s!t@"+version)
	if err := os.MkdirAll(filepath.Join(want, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	dep := &debug.Module{Path: mnistModule, Version: version}
	info := &debug.BuildInfo{Deps: []*debug.Module{{Path: "github.com/spf13/pflag", Version: "v1.1.0"}, dep}}
	if got, err := moduleFromBuildInfo(info, cache); got != want || err != nil {
		t.Errorf("moduleFromBuildInfo = %q, %v; want %q", got, err, want)
	}
	dep.Version = "v0.0.0-20990101000000-000000000000"
	if _, err := moduleFromBuildInfo(info, cache); err == nil {
		t.Error("a version that is not in the cache was found")
	}
	dep.Replace = &debug.Module{Path: "/src/gomnist"}
	if got, err := moduleFromBuildInfo(info, cache); got != "/src/gomnist" || err != nil {
		t.Errorf("replaced by a directory: %q, %v", got, err)
	}
	if _, err := moduleFromBuildInfo(&debug.BuildInfo{}, cache); err == nil || !strings.Contains(err.Error(), "without the module") {
		t.Errorf("no such dependency: %v", err)
	}
	if got := escapeModulePath("github.com/BurntSushi/TOML@v1.0.0-RC"); got != "github.com/!burnt!sushi/!t!o!m!l@v1.0.0-!r!c" {
		t.Errorf("escapeModulePath = %q", got)
	}
}

func TestBadFlagsExitWithStatus2AndOneLine(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--model", "resnet"}, `--model is "resnet"; use cnn or mlp`},
		{[]string{"--epochs", "-1"}, "--epochs is -1"},
		{[]string{"--epochs", "1001"}, "--epochs is 1001; at most 1000"},
		{[]string{"--epochs", "0"}, "needs --load"},
		{[]string{"--epochs", "0", "--load", file, "--plot", filepath.Join(dir, "c.svg")}, "--plot has no curves"},
		{[]string{"--batch-size", "0"}, "--batch-size is 0"},
		{[]string{"--limit", "-5"}, "--limit is -5"},
		{[]string{"--lr", "0"}, "--lr is 0"},
		{[]string{"--lr", "NaN"}, "--lr is NaN"},
		{[]string{"--lr", "Inf"}, "--lr is +Inf"},
		{[]string{"--lr-decay", "0"}, "--lr-decay is 0; it must be in (0, 1]"},
		{[]string{"--lr-decay", "1.5"}, "--lr-decay is 1.5"},
		{[]string{"--dtype", "int8"}, "--dtype"},
		{[]string{"--data", filepath.Join(dir, "nowhere")}, "--data: "},
		{[]string{"--data", file}, "--data: " + file + " is not a directory"},
		{[]string{"--load", filepath.Join(dir, "none.safetensors")}, "--load"},
		{[]string{"--save", filepath.Join(dir, "missing", "m.safetensors")}, "--save: cannot create m.safetensors in directory"},
		{[]string{"--plot", dir}, "--plot: " + dir + " is a directory"},
		{[]string{"--filters", filepath.Join(dir, "f.svg")}, "--model mlp has no convolution"},
		{[]string{"--model", "cnn", "--filters", dir}, "--filters: " + dir + " is a directory"},
		{[]string{"--seed", "-1"}, "invalid argument"},
		{[]string{"--no-such-flag"}, "unknown flag"},
		{[]string{"stray"}, "unexpected argument"},
	}
	for _, c := range cases {
		out, errOut, code := runMNIST(t, c.args...)
		if code != 2 || out != "" {
			t.Errorf("%v: exit %d, stdout %q; want 2 and no output", c.args, code, out)
		}
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if !strings.Contains(errOut, c.want) || (c.want != "unknown flag" && c.want != "invalid argument" && len(lines) != 1) {
			t.Errorf("%v: stderr %q, want one line mentioning %q", c.args, errOut, c.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the checks left files behind: %v", entries)
	}
}

func TestHelpDocumentsEveryFlag(t *testing.T) {
	_, errOut, code := runMNIST(t, "--help")
	if code != 0 {
		t.Errorf("--help exit %d", code)
	}
	for _, flag := range []string{"--model", "--epochs", "--batch-size", "--lr", "--lr-decay", "--seed", "--dtype", "--limit", "--data", "--json", "--plot", "--filters", "--save", "--load"} {
		if !strings.Contains(errOut, flag) {
			t.Errorf("--help does not document %s", flag)
		}
	}
}
