package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRunChecksSnakeAndLearnsXOR(t *testing.T) {
	var out bytes.Buffer
	res, err := run(&out)
	if err != nil {
		t.Fatal(err)
	}
	if res.Accuracy != 1 || res.Loss > 0.01 {
		t.Errorf("accuracy %v, loss %v; want 100%% and a loss below 0.01\n%s", res.Accuracy, res.Loss, out.String())
	}
	for _, want := range []string{"pass the gradient check", `registered "snake"`, "accuracy 100%"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	var again bytes.Buffer
	if _, err := run(&again); err != nil {
		t.Fatal(err)
	}
	if again.String() != out.String() {
		t.Errorf("a second run printed something else:\n%s\nthe first:\n%s", again.String(), out.String())
	}
}

func TestSnakeLearnsXORFromManySeeds(t *testing.T) {
	var out bytes.Buffer
	for seed := uint64(1); seed <= 30; seed++ {
		res, err := trainXOR(&out, seed)
		if err != nil {
			t.Fatal(err)
		}
		if res.Accuracy != 1 {
			t.Errorf("seed %d: accuracy %v", seed, res.Accuracy)
		}
	}
}
