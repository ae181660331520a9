package labs

import (
	"context"
	"errors"

	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/labs/driver"
)

// Lab networks must keep clear of every network the engine already has:
// another range on the same engine allocates from the same kind of pool,
// and anyone may make a network inside it. The engine refuses an
// overlapping network ("Pool overlaps"), so a launch chooses subnets clear
// of what the engine holds, and a create that still meets one (another
// range took it in between) moves the lab to other subnets and tries again.

// maxSubnetMoves bounds the creates of one provisioning; each meets a
// subnet taken only if another range takes one in the moment between.
const maxSubnetMoves = 5

// chooseSubnets picks a subnet for each of the scenario's networks that
// no lab of this range holds, no network on the engine overlaps and the
// host does not route.
func (s *Service) chooseSubnets(ctx context.Context, sc *Scenario) ([]InstanceNetwork, error) {
	used, err := s.store.UsedSubnets(ctx)
	if err != nil {
		return nil, err
	}
	held, err := s.driver.NetworkSubnets(ctx)
	if err != nil {
		return nil, fault.Wrap(ErrEngineDown, err)
	}
	subnets, err := s.pool.Free(used, held, len(sc.Networks))
	if err != nil {
		return nil, err
	}
	nets := make([]InstanceNetwork, len(sc.Networks))
	for i, n := range sc.Networks {
		nets[i] = InstanceNetwork{Name: n.Name, Subnet: subnets[i]}
	}
	return nets, nil
}

// create makes the instance in the runtime, moving it to other subnets
// when the runtime already holds one of its own.
func (s *Service) create(ctx context.Context, inst Instance, sc *Scenario) error {
	vars := Variables(s.opt.FlagKey, sc, inst.TraineeID, inst.ID)
	for attempt := 1; ; attempt++ {
		err := s.driver.Create(ctx, buildSpec(sc, inst, vars))
		if !errors.Is(err, driver.ErrSubnetTaken) || attempt == maxSubnetMoves {
			return err
		}
		s.log.Warn("a lab subnet is taken on the engine; moving the lab", "instance", inst.ID, "err", err)
		if err := s.driver.Destroy(ctx, inst.ID); err != nil {
			return err
		}
		if inst.Networks, err = s.moveSubnets(ctx, inst.ID, sc); err != nil {
			return err
		}
	}
}

// moveSubnets gives the instance newly chosen subnets in the store; a
// launch that takes one first makes it choose again.
func (s *Service) moveSubnets(ctx context.Context, id string, sc *Scenario) ([]InstanceNetwork, error) {
	for attempt := 0; ; attempt++ {
		nets, err := s.chooseSubnets(ctx, sc)
		if err != nil {
			return nil, err
		}
		err = s.store.MoveSubnets(ctx, id, nets)
		if errors.Is(err, ErrSubnetTaken) && attempt < 5 {
			continue
		}
		return nets, err
	}
}
