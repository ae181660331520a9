package labimages

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// Workstation is the trainee's analyst box: a minimal Debian with the real
// tools of a cloud incident (the AWS CLI, kubectl, curl, jq, git, netcat),
// made from a debootstrap root file system and imported into the engine;
// Debian's packages are its only source.
const Workstation = "sakimori-lab/workstation:latest"

// WorkstationSuite is the Debian release the workstation is made from.
const WorkstationSuite = "bookworm"

// WorkstationPackages are installed on top of debootstrap's minimal base.
// python3-cffi-backend must be listed with awscli, or python3-cryptography
// is left unconfigured.
var WorkstationPackages = []string{
	"awscli", "python3-cffi-backend", "kubernetes-client", "curl", "ca-certificates", "jq", "git",
	"netcat-openbsd", "sqlite3", "postgresql-client", "iproute2", "iputils-ping", "dnsutils", "procps", "less", "vim-tiny", "openssh-client",
}

// WorkstationChanges are the image settings applied at import. LANG is a
// UTF-8 locale (C.UTF-8 ships with Debian's libc-bin), so bash's line
// editor takes multibyte input such as Japanese as characters.
var WorkstationChanges = []string{
	"USER 1000:1000",
	"WORKDIR /home/trainee",
	"ENV HOME=/home/trainee",
	"ENV PATH=/usr/local/bin:/usr/bin:/bin",
	"ENV LANG=C.UTF-8",
	`CMD ["sleep", "infinity"]`,
}

// recipeVersion changes when the steps below change, forcing a rebuild.
const recipeVersion = "2"

// KubectlVersion is the kubectl built into /usr/local/bin, ahead of
// Debian's older one on PATH; the module in kubectl/ pins it.
const KubectlVersion = "v1.34.4"

// WorkstationImage is the workstation's Debian recipe, read from the
// settings above each time, so a change to them is a new recipe.
func WorkstationImage() Debian {
	return Debian{
		Name: Workstation, Suite: WorkstationSuite, Packages: WorkstationPackages, Changes: WorkstationChanges,
		// kubectl's version is part of the recipe's own steps.
		Version: recipeVersion + "\x00" + KubectlVersion,
		Finish: func(ctx context.Context, root string, log io.Writer) error {
			if err := BuildKubectl(ctx, filepath.Join(root, "usr/local/bin/kubectl"), log); err != nil {
				return err
			}
			return addTrainee(root)
		},
	}
}

// WorkstationHash identifies the recipe, so an unchanged one is not rebuilt.
func WorkstationHash() string { return WorkstationImage().Hash() }

// WorkstationTag is this recipe's own tag of the workstation.
func WorkstationTag() string { return WorkstationImage().Tag() }

// BuildKubectl builds the pinned kubectl (the module in kubectl/, beside
// this file) as a static binary at out. It needs the Go toolchain and the
// module proxy, as building sakimori-sim does; no container registry.
func BuildKubectl(ctx context.Context, out string, log io.Writer) error {
	src, err := kubectlSource()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", out,
		"-ldflags", "-s -w -X k8s.io/component-base/version.gitVersion="+KubectlVersion+" -X k8s.io/client-go/pkg/version.gitVersion="+KubectlVersion, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=-mod=readonly")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building kubectl %s: %w", KubectlVersion, err)
	}
	return nil
}

// kubectlSource finds the kubectl module in the source tree this binary
// was built from.
func kubectlSource() (string, error) {
	if dir := os.Getenv("SAKIMORI_KUBECTL_SOURCE"); dir != "" {
		return dir, nil
	}
	candidates := []string{filepath.Join("docker", "labimages", "kubectl")} // from the repository root
	if _, file, _, ok := runtime.Caller(0); ok {
		candidates = append(candidates, filepath.Join(filepath.Dir(file), "kubectl"))
	}
	for _, dir := range candidates {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Abs(dir)
		}
	}
	return "", fmt.Errorf("the kubectl module (docker/labimages/kubectl) is not found; set SAKIMORI_KUBECTL_SOURCE to it")
}

func addTrainee(root string) error {
	appendLine := func(file, line string) error {
		f, err := os.OpenFile(filepath.Join(root, file), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = fmt.Fprintln(f, line)
		return err
	}
	if err := appendLine("etc/passwd", "trainee:x:1000:1000:trainee:/home/trainee:/bin/bash"); err != nil {
		return err
	}
	if err := appendLine("etc/group", "trainee:x:1000:"); err != nil {
		return err
	}
	home := filepath.Join(root, "home/trainee")
	if err := os.MkdirAll(home, 0o755); err != nil {
		return err
	}
	return os.Chown(home, 1000, 1000)
}

// TarRootfs streams dir as a tarball, owners and modes kept, for import.
func TarRootfs(ctx context.Context, dir string) (io.ReadCloser, func() error, error) {
	cmd := exec.CommandContext(ctx, "tar", "--numeric-owner", "-C", dir, "-c", ".")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	return out, cmd.Wait, nil
}
