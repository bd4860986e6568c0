package main

import (
	"bytes"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestGeneratedFilesAreCurrent regenerates every file into a temporary
// directory and fails for each committed file that differs: someone edited
// a generated file, or a template or the table without running go generate.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	if err := generate(tmp); err != nil {
		t.Fatal(err)
	}
	outs := outputs()
	if len(outs) != 25 {
		t.Errorf("%d outputs, want 25 (5 for each of 5 providers)", len(outs))
	}
	for _, o := range outs {
		want, err := os.ReadFile(filepath.Join(tmp, o.path))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(root, o.path))
		if err != nil {
			t.Errorf("%s: %v; run go generate ./...", o.path, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what internal/cmd/reexport writes (%s with %s's row); edit the template, not the file, and run go generate ./...", o.path, o.template, o.p.Pkg)
		}
	}
}

// generatedHeader is the form go help generate asks of a generated file.
var generatedHeader = regexp.MustCompile(`^// Code generated .* DO NOT EDIT\.$`)

// TestOutputIsMarkedAndParses checks that every output starts with the
// generated-code header, which is not taken for the package comment, and
// declares the package its directory holds.
func TestOutputIsMarkedAndParses(t *testing.T) {
	for _, o := range outputs() {
		src, err := render(o)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := bytes.Cut(src, []byte("\n"))
		if !generatedHeader.Match(first) {
			t.Errorf("%s: first line %q is not a generated-code header", o.path, first)
		}
		f, err := parser.ParseFile(token.NewFileSet(), o.path, src, parser.ParseComments)
		if err != nil {
			t.Fatalf("%s: %v", o.path, err)
		}
		if f.Doc != nil {
			t.Errorf("%s: the header became a package comment: %q", o.path, f.Doc.Text())
		}
		if want := filepath.Base(filepath.Dir(o.path)); f.Name.Name != want {
			t.Errorf("%s: package %s, want %s", o.path, f.Name.Name, want)
		}
	}
}

// TestRowsShapeTheText checks that the table's optional sections do what
// they say: WithTokenTimeout only where set, Close only where set, and a
// provider's name never leaking into another's files.
func TestRowsShapeTheText(t *testing.T) {
	for _, o := range outputs() {
		src, err := render(o)
		if err != nil {
			t.Fatal(err)
		}
		switch o.template {
		case "options.go.tmpl":
			if got := bytes.Contains(src, []byte("func WithTokenTimeout(")); got != o.p.TokenTimeout {
				t.Errorf("%s: WithTokenTimeout present %v, row says %v", o.path, got, o.p.TokenTimeout)
			}
		case "recording.go.tmpl":
			if got := bytes.Contains(src, []byte("func (s *Server) Close()")); got != o.p.Close {
				t.Errorf("%s: Close present %v, row says %v", o.path, got, o.p.Close)
			}
			if got := bytes.Contains(src, []byte("ErrNothingToRedeliver = fake.ErrNothingToRedeliver")); got != o.p.Redeliver {
				t.Errorf("%s: ErrNothingToRedeliver present %v, row says %v", o.path, got, o.p.Redeliver)
			}
		case "mock.go.tmpl":
			if got := bytes.Contains(src, []byte("func HandlerResponder(")); got != o.p.HandlerResponder {
				t.Errorf("%s: HandlerResponder present %v, row says %v", o.path, got, o.p.HandlerResponder)
			}
			if got := bytes.Contains(src, []byte("Transport: mock")); got != o.p.NotifyClient {
				t.Errorf("%s: notifications through mock %v, row says %v", o.path, got, o.p.NotifyClient)
			}
		}
		for _, other := range providers {
			if other.Pkg != o.p.Pkg && bytes.Contains(src, []byte(other.Display)) {
				t.Errorf("%s names %s", o.path, other.Display)
			}
		}
	}
}
