package labs

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/labs/driver"
)

// Options tune the lifecycle. Every field but the recording pair is
// required; the defaults live in the configuration, not here.
type Options struct {
	Capacity         int           // active instances the range holds at once
	ProvisionTimeout time.Duration // a launch that takes longer fails
	ExtendBy         time.Duration // one extension adds this much
	MaxExtensions    int
	FlagKey          []byte // derives per-instance variables
	Now              func() time.Time
	Logger           *slog.Logger
	// Terminal sessions are recorded as asciicast files in RecordingsDir,
	// their records kept in Recordings; either unset: no recording.
	Recordings    RecordingStore
	RecordingsDir string
}

// check reports every missing or invalid option at once.
func (o Options) check() error {
	var errs []error
	if o.Capacity < 1 {
		errs = append(errs, fmt.Errorf("capacity %d: must be at least 1", o.Capacity))
	}
	if o.ProvisionTimeout <= 0 {
		errs = append(errs, fmt.Errorf("provision timeout %s: must be positive", o.ProvisionTimeout))
	}
	if o.ExtendBy <= 0 {
		errs = append(errs, fmt.Errorf("extend-by %s: must be positive", o.ExtendBy))
	}
	if o.MaxExtensions < 0 {
		errs = append(errs, fmt.Errorf("max extensions %d: must not be negative", o.MaxExtensions))
	}
	if len(o.FlagKey) < 32 {
		errs = append(errs, errors.New("flag key: must be at least 32 bytes"))
	}
	if o.Now == nil {
		errs = append(errs, errors.New("no clock (Now)"))
	}
	if o.Logger == nil {
		errs = append(errs, errors.New("no logger"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("lab service options: %w", err)
	}
	return nil
}

// Service runs lab instances: it records each in the Store and makes it
// real through the Driver. Launches and resets provision in the
// background; Close waits for them.
type Service struct {
	store     Store
	watched   *watchedStore // store, telling a watcher of each change
	driver    driver.Driver
	catalogue *Catalogue
	pool      *Pool
	opt       Options
	log       *slog.Logger

	work   sync.WaitGroup
	ctx    context.Context // cancelled by Close: background work stops
	cancel context.CancelFunc

	// inflight marks instances whose provisioning is still running here.
	// A stop that lands mid-launch must not free their subnets: a create
	// request still in flight could put a network on a subnet another lab
	// has just been given. Whichever of the stop and the provisioning ends
	// last frees them, decided under mu.
	mu       sync.Mutex
	inflight map[string]bool

	changes *changes // who follows which instance's transitions

	reserves Reserves // see UseReserves
}

// NewService makes the lifecycle service. It takes its options as given
// and refuses any that are missing or invalid.
func NewService(store Store, d driver.Driver, c *Catalogue, pool *Pool, opt Options) (*Service, error) {
	if store == nil || d == nil || c == nil || pool == nil {
		return nil, errors.New("lab service: a store, a driver, a catalogue and a subnet pool are all required")
	}
	if err := opt.check(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	changes := &changes{}
	watched := &watchedStore{Store: store, changes: changes}
	return &Service{store: watched, watched: watched, driver: d, catalogue: c, pool: pool, opt: opt, log: opt.Logger, ctx: ctx, cancel: cancel,
		inflight: map[string]bool{}, changes: changes}, nil
}

// Catalogue is the set of scenarios the service launches.
func (s *Service) Catalogue() *Catalogue { return s.catalogue }

// Close waits for background provisioning to finish (each is bounded by
// ProvisionTimeout). Only if ctx ends first is it cancelled: a create
// request cut off mid-flight can still land in the engine after its
// cleanup, leaving objects for the reconciler.
func (s *Service) Close(ctx context.Context) error {
	done := make(chan struct{})
	go func() { s.work.Wait(); close(done) }()
	select {
	case <-done:
		s.cancel()
		return nil
	case <-ctx.Done():
		s.cancel()
		<-done
		return ctx.Err()
	}
}

// Actor is who asks for a change: the owner, or staff. Staff act on any
// lab unless Supervises limits them to some trainees' labs.
type Actor struct {
	UserID string
	Staff  bool
	// Supervises, when not nil, is every trainee whose labs this member of
	// staff may see and act on: an instructor's classes. Nil leaves staff
	// every lab (range admins, and the platform's own work).
	Supervises map[string]bool
}

// MayActFor says whether the actor may see and act on the trainee's labs.
func (a Actor) MayActFor(trainee string) bool {
	switch {
	case trainee == a.UserID:
		return true
	case !a.Staff:
		return false
	}
	return a.Supervises == nil || a.Supervises[trainee]
}

// Launch starts a lab of the scenario for the trainee. It returns at once
// with the instance pending; provisioning goes on in the background and its
// progress shows in the instance's state and step.
func (s *Service) Launch(ctx context.Context, trainee, scenarioID string) (Instance, error) {
	sc, err := s.catalogue.Scenario(scenarioID)
	if err != nil {
		return Instance{}, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := s.driver.Ping(pingCtx); err != nil {
		return Instance{}, fault.Wrap(ErrEngineDown, err)
	}
	now := s.opt.Now().UTC()
	capacity, err := s.capacityFor(ctx, trainee, now)
	if err != nil {
		return Instance{}, err
	}
	inst := Instance{
		ID: newInstanceID(), TraineeID: trainee, ScenarioID: sc.ID, ScenarioVersion: sc.Version,
		State: StatePending, Step: stepQueued, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(sc.timeLimit()),
	}
	// Two launches may pick the same free subnet; the store's uniqueness
	// check makes one of them retry with what is then free.
	for attempt := 0; ; attempt++ {
		inst.Networks, err = s.chooseSubnets(ctx, sc)
		if err != nil {
			return Instance{}, err
		}
		err = s.store.CreateInstance(ctx, inst, capacity)
		if errors.Is(err, ErrSubnetTaken) && attempt < 5 {
			continue
		}
		if err != nil {
			return Instance{}, err
		}
		break
	}
	s.log.Info("lab launching", "instance", inst.ID, "trainee", trainee, "scenario", sc.ID)
	s.work.Add(1)
	go s.provision(inst, sc, StatePending, false)
	return inst, nil
}

// provision makes the instance real, moving it from `from` through
// provisioning to running, or to failed with the engine's objects removed.
// A reset keeps the expiry it had: resetting never buys time.
func (s *Service) provision(inst Instance, sc *Scenario, from State, reset bool) {
	defer s.work.Done()
	s.mu.Lock()
	s.inflight[inst.ID] = true
	s.mu.Unlock()
	defer s.provisioned(inst.ID)
	ctx, cancel := context.WithTimeout(s.ctx, s.opt.ProvisionTimeout)
	defer cancel()
	if ok, err := s.store.Transition(ctx, inst.ID, []State{from}, StateProvisioning, Change{Step: stepNetworks}); err != nil || !ok {
		return // stopped before it began, or the store is gone: nothing was made
	}
	err := s.create(ctx, inst, sc)
	if err == nil {
		_, _ = s.store.Transition(ctx, inst.ID, []State{StateProvisioning}, StateProvisioning, Change{Step: stepStarting})
		err = s.waitRunning(ctx, inst.ID)
	}
	if err != nil {
		s.fail(inst.ID, "provisioning", err)
		return
	}
	now := s.opt.Now().UTC()
	change := Change{StartedAt: &now}
	if !reset {
		expires := now.Add(sc.timeLimit()) // the clock starts when the lab is usable
		change.ExpiresAt = &expires
	}
	ok, err := s.store.Transition(ctx, inst.ID, []State{StateProvisioning}, StateRunning, change)
	if err == nil && !ok {
		// Stopped while we built it: the stop may have run before our
		// objects existed, so remove them again.
		s.cleanup(inst.ID)
		return
	}
	s.log.Info("lab running", "instance", inst.ID)
}

// provisioned ends provisioning: if a stop finished while it ran, the
// subnets it left held are freed now that nothing more will be created.
func (s *Service) provisioned(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.inflight, id)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if inst, err := s.store.Instance(ctx, id); err == nil && inst.State == StateStopped {
		_ = s.store.ReleaseSubnets(ctx, id)
	}
}

// releaseAfterStop frees a stopped instance's subnets unless its
// provisioning is still running, which then frees them as it ends.
func (s *Service) releaseAfterStop(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inflight[id] {
		return nil
	}
	return s.store.ReleaseSubnets(ctx, id)
}

// waitRunning waits until every host runs and has stayed up for a short
// settle: hosts restart with the engine, so one that dies at start would
// otherwise pass for running between its restarts. A host that exits or
// restarts is a broken scenario or image, reported as such. The settle
// counts from each host's own start as the runtime records it, so hosts
// already up that long (started side by side, while the rest of the lab
// was made) cost no wait at all.
func (s *Service) waitRunning(ctx context.Context, id string) error {
	settled := false
	for {
		st, err := s.driver.Status(ctx, id)
		if err != nil {
			return err
		}
		for _, h := range st.Hosts {
			if h.Restarts > 0 || (!h.Running && h.ExitCode != 0) {
				return fmt.Errorf("%w: host %s, exit code %d", errHostExited, h.Name, h.ExitCode)
			}
		}
		wait := 100 * time.Millisecond
		if st.Running() {
			// Real time, not the range's clock: this is how long processes
			// have run. One wait covers the settle whatever the clocks say.
			wait = settleLeft(st, time.Now())
			if wait <= 0 || settled {
				return nil
			}
			settled = true
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// settleTime is how long every host must stay up before a lab is running.
const settleTime = 300 * time.Millisecond

// settleLeft is how much longer the most recently started host must stay
// up. A start the runtime does not record, or records in the future (its
// clock ahead of ours), counts as starting now.
func settleLeft(st driver.InstanceStatus, now time.Time) time.Duration {
	left := time.Duration(0)
	for _, h := range st.Hosts {
		up := now.Sub(h.StartedAt)
		if h.StartedAt.IsZero() || up < 0 {
			up = 0
		}
		left = max(left, settleTime-up)
	}
	return left
}

// fail records why an instance failed and removes whatever was made. An
// instance someone is stopping is theirs to finish: a stop that lands mid-
// launch makes the launch fail, and that is not the trainee's failure.
func (s *Service) fail(id, doing string, cause error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	destroyErr := s.driver.Destroy(ctx, id)
	now := s.opt.Now().UTC()
	moved, err := s.store.Transition(ctx, id, []State{StatePending, StateProvisioning}, StateFailed,
		Change{Reason: reasonFor(cause), StoppedAt: &now})
	if err != nil || !moved {
		return
	}
	s.log.Error("lab failed", "instance", id, "while", doing, "err", cause)
	if destroyErr == nil {
		_ = s.store.ReleaseSubnets(ctx, id)
	}
	// With a failed destroy the subnets stay held; the reconciler frees
	// them once the engine's objects are gone.
}

func (s *Service) cleanup(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.driver.Destroy(ctx, id); err != nil {
		s.log.Error("lab cleanup failed; the reaper will retry", "instance", id, "err", err)
	}
}

// errHostExited is a host that stopped as its lab started.
var errHostExited = errors.New("a host exited at start")

// reasonFor says in a sentence why a lab failed, without engine detail.
func reasonFor(err error) string {
	switch {
	case errors.Is(err, driver.ErrUnavailable):
		return "The lab engine stopped answering while your lab was being built. Launch it again."
	case errors.Is(err, driver.ErrImage):
		return "This scenario's images are not installed on the range. Tell your instructor."
	case errors.Is(err, context.DeadlineExceeded):
		return "Your lab took too long to start. Launch it again."
	case errors.Is(err, errHostExited):
		return "A host of this lab stopped as it started; the scenario may be broken. Tell your instructor."
	}
	return "Your lab could not be built. Launch it again; if it fails again, tell your instructor."
}

// newInstanceID is short and safe in engine object names: "l" and 12
// lower-case base32 characters (60 random bits).
func newInstanceID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "l" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:12]
}
