// Command labsize measures what each built-in lab costs on the engine: how
// long it takes to launch (from the launch to every host running) and the
// memory its containers hold while its reference solution is played, the
// peak of their sum. It runs `sakimori scenario test` for one scenario at a
// time and samples the engine's statistics for that lab's containers
// beside it, so the figure includes the trainee's tools at work (the AWS
// CLI, kubectl) as well as the emulators and scripted users.
//
//	go tool task build && ./bin/sakimori images build -workstation && go run ./tools/labsize
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
)

var launched = regexp.MustCompile(`launching lab (\w+)`)

func main() {
	binary := flag.String("bin", "bin/sakimori", "the sakimori binary")
	every := flag.Duration("every", 500*time.Millisecond, "how often to sample memory")
	flag.Parse()
	ids := flag.Args()
	if len(ids) == 0 {
		ids = []string{"orientation", "open-by-default", "metadata-heist", "keys-in-the-repo", "unlocked-console", "blind-the-watchers"}
	}
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		fmt.Fprintln(os.Stderr, "labsize:", err)
		os.Exit(1)
	}
	fmt.Println("| scenario | hosts | launch to running | peak memory, all hosts | largest host |")
	fmt.Println("|---|---|---|---|---|")
	for _, id := range ids {
		r, err := measure(cli, *binary, id, *every)
		if err != nil {
			fmt.Fprintf(os.Stderr, "labsize: %s: %v\n", id, err)
			os.Exit(1)
		}
		fmt.Printf("| %s | %d | %.1f s | %.0f MiB | %s %.0f MiB |\n", id, r.hosts, r.launch.Seconds(), mib(r.peak), r.largest, mib(r.largestPeak))
	}
}

type result struct {
	hosts             int
	launch            time.Duration
	peak, largestPeak uint64
	largest           string
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

func measure(cli *client.Client, binary, id string, every time.Duration) (result, error) {
	var r result
	cmd := exec.Command(binary, "scenario", "test", id)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return r, err
	}
	cmd.Stderr = cmd.Stdout
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return r, err
	}
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var mu sync.Mutex
	perHost := map[string]uint64{}
	var lines []string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		lines = append(lines, line)
		if m := launched.FindStringSubmatch(line); m != nil {
			lab := m[1]
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					sum, hosts := sample(cli, lab)
					mu.Lock()
					if sum > r.peak {
						r.peak = sum
					}
					for h, b := range hosts {
						perHost[h] = max(perHost[h], b)
					}
					mu.Unlock()
					select {
					case <-ctx.Done():
						return
					case <-time.After(every):
					}
				}
			}()
		}
		if strings.Contains(line, "lab running") && r.launch == 0 {
			r.launch = time.Since(start)
		}
	}
	err = cmd.Wait()
	stop()
	wg.Wait()
	if err != nil {
		return r, fmt.Errorf("%v\n%s", err, strings.Join(lines, "\n"))
	}
	r.hosts = len(perHost)
	for h, b := range perHost {
		if b > r.largestPeak {
			r.largest, r.largestPeak = h, b
		}
	}
	return r, nil
}

// sample sums the memory the lab's containers use now, less the page
// cache the kernel may take back, as `docker stats` shows it.
func sample(cli *client.Client, lab string) (uint64, map[string]uint64) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	prefix := "/sakimori-" + lab + "-"
	list, err := cli.ContainerList(ctx, container.ListOptions{})
	if err != nil {
		return 0, nil
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	var sum uint64
	hosts := map[string]uint64{}
	for _, c := range list {
		if len(c.Names) == 0 || !strings.HasPrefix(c.Names[0], prefix) {
			continue
		}
		wg.Go(func() {
			resp, err := cli.ContainerStatsOneShot(ctx, c.ID)
			if err != nil {
				return
			}
			var st container.StatsResponse
			err = json.NewDecoder(resp.Body).Decode(&st)
			resp.Body.Close()
			if err != nil {
				return
			}
			used := st.MemoryStats.Usage
			if cache := st.MemoryStats.Stats["inactive_file"]; cache < used {
				used -= cache
			}
			mu.Lock()
			defer mu.Unlock()
			sum += used
			hosts[strings.TrimPrefix(c.Names[0], prefix)] = used
		})
	}
	wg.Wait()
	return sum, hosts
}
