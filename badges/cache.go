package badges

import "sync"

// signedCache keeps documents already signed, so a public URL asked for
// again costs no canonicalisation. What it returns is shared: callers
// serialise it and never change it.
type signedCache struct {
	mu   sync.Mutex
	docs map[string]map[string]any
}

// cacheLimit bounds the memory held; past it the cache starts afresh.
const cacheLimit = 4096

func (c *signedCache) get(key string, sign func() (map[string]any, error)) (map[string]any, error) {
	c.mu.Lock()
	doc, ok := c.docs[key]
	c.mu.Unlock()
	if ok {
		return doc, nil
	}
	doc, err := sign()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.docs == nil || len(c.docs) >= cacheLimit {
		c.docs = make(map[string]map[string]any)
	}
	c.docs[key] = doc
	c.mu.Unlock()
	return doc, nil
}
