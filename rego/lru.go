package rego

import (
	"container/list"
	"hash/maphash"
	"sync"
)

// lru maps strings to values, bounded by count: it evicts the least recently used entry of the
// key's shard. Large caches are split into shards by a hash of the key, each with its own lock,
// so that concurrent decisions seldom wait for each other. It is safe for concurrent use.
type lru[V any] struct {
	seed   maphash.Seed
	shards []lruShard[V]
}

type lruShard[V any] struct {
	mu    sync.Mutex
	size  int
	order *list.List // of *entry[V], most recently used first
	items map[string]*list.Element
	_     [64]byte // keeps shards' locks on separate cache lines
}

type entry[V any] struct {
	key   string
	value V
}

// lruShards is how many shards a cache of at least minShardedSize entries has (a smaller one
// has one, and evicts exactly the least recently used entry).
const (
	lruShards      = 16
	minShardedSize = 64 * lruShards
)

func newLRU[V any](size int) *lru[V] {
	c := &lru[V]{seed: maphash.MakeSeed()}
	c.resize(size)
	return c
}

// resize empties the cache and bounds it to size entries.
func (c *lru[V]) resize(size int) {
	n := 1
	if size >= minShardedSize {
		n = lruShards
	}
	c.shards = make([]lruShard[V], n)
	for i := range c.shards {
		c.shards[i] = lruShard[V]{size: (size + n - 1) / n, order: list.New(), items: map[string]*list.Element{}}
	}
}

func (c *lru[V]) shard(k []byte) *lruShard[V] {
	if len(c.shards) == 1 {
		return &c.shards[0]
	}
	return &c.shards[maphash.Bytes(c.seed, k)%lruShards]
}

// get looks up the key spelled by k, without copying it.
func (c *lru[V]) get(k []byte) (V, bool) {
	s := c.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.items[string(k)]; ok {
		s.order.MoveToFront(el)
		return el.Value.(*entry[V]).value, true
	}
	var zero V
	return zero, false
}

// add stores v unless k is already present (added concurrently), and returns the stored value.
func (c *lru[V]) add(k string, v V) V {
	s := c.shard([]byte(k))
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.items[k]; ok {
		s.order.MoveToFront(el)
		return el.Value.(*entry[V]).value
	}
	s.items[k] = s.order.PushFront(&entry[V]{key: k, value: v})
	for s.order.Len() > s.size {
		last := s.order.Back()
		s.order.Remove(last)
		delete(s.items, last.Value.(*entry[V]).key)
	}
	return v
}

func (c *lru[V]) len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		n += s.order.Len()
		s.mu.Unlock()
	}
	return n
}

// table is a concurrent map bounded by count: when full, it starts afresh.
type table[V any] struct {
	limit int
	mu    sync.Mutex
	m     map[string]V
	added int // how many entries were ever stored
}

func newTable[V any](limit int) *table[V] {
	return &table[V]{limit: limit, m: map[string]V{}}
}

func (t *table[V]) get(k []byte) (V, bool) {
	t.mu.Lock()
	v, ok := t.m[string(k)]
	t.mu.Unlock()
	return v, ok
}

func (t *table[V]) put(k string, v V) {
	t.mu.Lock()
	if len(t.m) >= t.limit {
		clear(t.m)
	}
	t.m[k] = v
	t.added++
	t.mu.Unlock()
}
