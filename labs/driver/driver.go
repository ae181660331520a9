// Package driver is the contract between the lab lifecycle and a lab
// runtime, such as the Docker engine. It holds only plain
// types and the Driver interface; implementations live in subpackages and
// import this one, never the reverse.
//
// # What a driver promises
//
// One lab instance is a set of networks and containers ("hosts") made from an
// InstanceSpec. Every object a driver makes carries the labels in Labels
// (instance, trainee, scenario, expiry) so that it can be found again by
// label alone after a crash.
//
//   - Create makes every network and host of the instance and starts the hosts.
//     It is idempotent per instance: objects that already exist under the
//     instance's names are adopted if they carry the same instance label, and
//     a name held by an object of another instance is a Conflict error. A
//     network whose subnet overlaps one the runtime already holds (another
//     range's, or any network not made by a driver) is an ErrSubnetTaken
//     error. If Create fails part-way, objects may remain; the caller calls
//     Destroy.
//   - NetworkSubnets lists the subnets of every network on the runtime, of
//     any range or none, so that the caller can choose subnets clear of them.
//   - Destroy removes every object of the instance, in whatever state. Objects
//     already gone are not errors, so Destroy may be called any number of
//     times; it returns the failures it met, joined, after trying everything.
//   - Status reports each host of an instance. An instance with no objects
//     returns ErrNotFound.
//   - Exec runs a command in one host as the host's fixed user and working
//     directory, with or without a terminal. Closing the session ends the
//     command's process.
//   - List returns every instance the driver owns, found by label, for the
//     reconciler to converge against the database. A driver serves one
//     range (deployment): objects of other ranges on the same runtime are
//     neither listed nor touched.
//
// Every method is safe for concurrent use, on different instances and on the
// same one. Errors that mean the runtime cannot be reached wrap ErrUnavailable.
//
// Package drivertest checks a driver against each of these promises, and
// its Fake keeps them in memory for the tests of the layers above.
package driver

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net/netip"
	"time"
)

// Label keys every object carries (reverse-DNS, so they never clash).
const (
	LabelInstance = "io.sakimori.instance"
	LabelTrainee  = "io.sakimori.trainee"
	LabelScenario = "io.sakimori.scenario"
	LabelExpires  = "io.sakimori.expires" // RFC 3339, UTC
	LabelRange    = "io.sakimori.range"   // the deployment that owns the object
	LabelHost     = "io.sakimori.host"    // on hosts: the host's name in the spec
	LabelNetwork  = "io.sakimori.network" // on networks: the network's name in the spec
)

// Errors drivers return, to be tested with errors.Is.
var (
	ErrNotFound    = errors.New("driver: no such instance")
	ErrConflict    = errors.New("driver: a name is held by another instance")
	ErrUnavailable = errors.New("driver: runtime unavailable")
	ErrImage       = errors.New("driver: image missing")
	// ErrSubnetTaken is a network refused because the runtime already has
	// a network on an overlapping subnet; another subnet may succeed.
	ErrSubnetTaken = errors.New("driver: subnet overlaps a network the runtime holds")
)

// InstanceSpec is everything needed to make one lab instance.
type InstanceSpec struct {
	ID       string // short, [a-z0-9-], unique among live instances
	Trainee  string
	Scenario string
	Expires  time.Time
	Networks []NetworkSpec
	Hosts    []HostSpec
}

// NetworkSpec is one of an instance's networks. Lab networks are always
// internal: no route out, no address of the host's on them.
type NetworkSpec struct {
	Name   string       // unique within the instance
	Subnet netip.Prefix // allocated by the platform from its pool
}

// HostSpec is one container of an instance.
type HostSpec struct {
	Name       string // unique within the instance; also its DNS name on its networks
	Image      string
	Command    []string          // empty: the image's own
	Env        map[string]string // per-instance values already substituted
	User       string            // fixed user for the host and every exec in it
	WorkingDir string
	Networks   []HostNetwork // the first is attached at create, the rest before start
	Limits     Limits
	ReadOnly   bool             // read-only root file system (the default a scenario may relax)
	Tmpfs      map[string]int64 // mount path → size in bytes, for writes under a read-only root
	CapAdd     []string         // capabilities added back after dropping all; validated upstream
	// LoopbackAddrs are extra addresses on the host's loopback, added by
	// the driver after start (the host itself never gets NET_ADMIN), so a
	// service in the host answers at a well-known link-local address, the
	// instance metadata address, that no runtime network holds and no
	// other host can route to.
	LoopbackAddrs []netip.Addr
	// Files are written into the host's root file system after it is made
	// and before it first starts, owned by the host's user (the image's
	// own when User is empty); missing folders above them are made, owned
	// by root. They need a writable root: a driver refuses Files on a
	// ReadOnly host rather than losing them.
	Files []HostFile
}

// HostFile is one file a host starts with.
type HostFile struct {
	Path string      // absolute and clean, such as /srv/www/index.html
	Mode fs.FileMode // permission bits only: 0o644, or 0o755 for a script
	Data []byte
}

// HostNetwork attaches a host to a network, optionally at a fixed address.
type HostNetwork struct {
	Network string
	IP      netip.Addr // zero: any free address
	Aliases []string   // more DNS names on this network
}

// Limits bound what one host may use.
type Limits struct {
	MemoryBytes int64 // also the memory+swap limit: no swap beyond it
	NanoCPUs    int64 // 1e9 is one core
	Pids        int64
}

// DefaultLimits are what a host gets for each limit its spec leaves zero.
var DefaultLimits = Limits{MemoryBytes: 256 << 20, NanoCPUs: 500_000_000, Pids: 128}

// OrDefaults is l with DefaultLimits in place of each limit left unset.
func (l Limits) OrDefaults() Limits {
	if l.MemoryBytes <= 0 {
		l.MemoryBytes = DefaultLimits.MemoryBytes
	}
	if l.NanoCPUs <= 0 {
		l.NanoCPUs = DefaultLimits.NanoCPUs
	}
	if l.Pids <= 0 {
		l.Pids = DefaultLimits.Pids
	}
	return l
}

// HostState is one host's state as the runtime sees it.
type HostState struct {
	Name      string
	Running   bool
	StartedAt time.Time // when it last started, by the runtime's clock; zero if unknown
	Restarts  int       // times the runtime restarted it after it stopped
	ExitCode  int
	OOMKilled bool
	Addresses map[string]netip.Addr // network name → address
	// Processes is how many processes (and threads) the host holds, and
	// ProcessLimit how many it may: at the limit nothing new starts in it.
	// Zero when the runtime cannot say.
	Processes, ProcessLimit int64
}

// InstanceStatus is the state of every host of an instance.
type InstanceStatus struct {
	ID    string
	Hosts []HostState
}

// Running reports whether every host is running.
func (s InstanceStatus) Running() bool {
	for _, h := range s.Hosts {
		if !h.Running {
			return false
		}
	}
	return len(s.Hosts) > 0
}

// InstanceRef is an instance found by label, with its labels.
type InstanceRef struct {
	ID       string
	Trainee  string
	Scenario string
	Expires  time.Time
	Objects  int // networks and hosts found (not a runtime's own helpers, such as a lab's resolver)
}

// ExecRequest is a command to run in a host.
type ExecRequest struct {
	Command []string
	TTY     bool
	Env     []string
	Rows    uint
	Cols    uint
}

// ExecSession is a running command. Read the output, write the input;
// Close ends it. With a TTY, output is one merged stream.
type ExecSession interface {
	io.ReadWriteCloser
	// CloseWrite ends the command's input (EOF on stdin), keeping output open.
	CloseWrite() error
	// Resize changes the terminal size (TTY sessions only).
	Resize(ctx context.Context, rows, cols uint) error
	// Wait waits for the command to end and returns its exit code.
	Wait(ctx context.Context) (int, error)
}

// Driver runs lab instances; see the package comment for its promises.
type Driver interface {
	// Ping reports whether the runtime answers, quickly; a launch checks it
	// first so that a stopped engine gets a clear refusal, not a timeout.
	Ping(ctx context.Context) error
	Create(ctx context.Context, spec InstanceSpec) error
	NetworkSubnets(ctx context.Context) ([]netip.Prefix, error)
	Status(ctx context.Context, instanceID string) (InstanceStatus, error)
	Exec(ctx context.Context, instanceID, host string, req ExecRequest) (ExecSession, error)
	Destroy(ctx context.Context, instanceID string) error
	List(ctx context.Context) ([]InstanceRef, error)
}
