package labimages

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The warehouse is a real PostgreSQL server, Debian's own, playing a
// cloud data warehouse in the labs whose data leaves through one:
// WarehouseOS is Debian with PostgreSQL, and Warehouse adds sakimori-sim,
// which sets the server up from the scenario and runs it
// (sakimori-sim warehouse).
const (
	WarehouseOS = "sakimori-lab/warehouse-os:latest"
	Warehouse   = "sakimori-lab/warehouse:latest"
)

// PostgresVersion is the server's major version in WarehouseSuite.
const PostgresVersion = "15"

// WarehousePackages: the server, which brings its client.
var WarehousePackages = []string{"postgresql-" + PostgresVersion}

// WarehouseOSImage is the warehouse's Debian recipe. The server runs as
// Debian's postgres account, from its own home.
func WarehouseOSImage() Debian {
	return Debian{
		Name: WarehouseOS, Suite: WorkstationSuite, Packages: WarehousePackages, Version: "1", Finish: finishWarehouse,
		Changes: []string{
			"USER postgres",
			"WORKDIR /var/lib/postgresql",
			"ENV HOME=/var/lib/postgresql",
			"ENV PATH=/usr/lib/postgresql/" + PostgresVersion + "/bin:/usr/local/bin:/usr/bin:/bin",
			"ENV LANG=C.UTF-8",
			`CMD ["sleep", "infinity"]`,
		},
	}
}

// finishWarehouse removes the cluster Debian's package made at install,
// with its settings: a lab's server is made afresh at start, from the
// scenario. It keeps the socket folder, which systemd would make on a
// real host, for the postgres account.
func finishWarehouse(_ context.Context, root string, _ io.Writer) error {
	for _, dir := range []string{"var/lib/postgresql/" + PostgresVersion, "etc/postgresql/" + PostgresVersion} {
		if err := os.RemoveAll(filepath.Join(root, dir)); err != nil {
			return err
		}
	}
	uid, gid, err := accountIDs(root, "postgres")
	if err != nil {
		return err
	}
	sock := filepath.Join(root, "var/run/postgresql")
	if err := os.MkdirAll(sock, 0o2775); err != nil {
		return err
	}
	return os.Chown(sock, uid, gid)
}

// accountIDs reads an account's uid and gid from the root file system's
// passwd, where the package's install put it.
func accountIDs(root, name string) (int, int, error) {
	data, err := os.ReadFile(filepath.Join(root, "etc/passwd"))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Split(line, ":")
		if len(f) > 3 && f[0] == name {
			uid, err1 := strconv.Atoi(f[2])
			gid, err2 := strconv.Atoi(f[3])
			if err1 == nil && err2 == nil {
				return uid, gid, nil
			}
		}
	}
	return 0, 0, fmt.Errorf("no %s account in %s/etc/passwd", name, root)
}

// NewWarehouse is the warehouse made of this recipe's WarehouseOS and the
// given sakimori-sim, named by both, as the runner is.
func NewWarehouse(sim []byte) Image {
	dockerfile := "FROM " + WarehouseOSImage().Tag() + "\n" +
		"COPY " + SimBinary + " /usr/local/bin/" + SimBinary + "\n" +
		"USER postgres\n"
	return NewImage(Warehouse, map[string][]byte{"Dockerfile": []byte(dockerfile), SimBinary: sim})
}

// WarehouseOf is the warehouse made with the sakimori-sim that imgs'
// cloud image holds; false if imgs has no cloud image.
func WarehouseOf(imgs []Image) (Image, bool) {
	for _, img := range imgs {
		if img.Name == Cloud {
			return NewWarehouse(img.Files[SimBinary]), true
		}
	}
	return Image{}, false
}
