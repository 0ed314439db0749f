package rego

import (
	"container/list"
	"sync"
	"sync/atomic"
)

// lru maps strings to values, bounded by count: it evicts the least recently used entry. It is
// safe for concurrent use.
type lru[V any] struct {
	size int

	mu    sync.Mutex
	order *list.List // of *entry[V], most recently used first
	items map[string]*list.Element
}

type entry[V any] struct {
	key   string
	value V
}

func newLRU[V any](size int) *lru[V] {
	return &lru[V]{size: size, order: list.New(), items: map[string]*list.Element{}}
}

// get looks up the key spelled by k, without copying it.
func (c *lru[V]) get(k []byte) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[string(k)]; ok {
		c.order.MoveToFront(el)
		return el.Value.(*entry[V]).value, true
	}
	var zero V
	return zero, false
}

// add stores v unless k is already present (added concurrently), and returns the stored value.
func (c *lru[V]) add(k string, v V) V {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		c.order.MoveToFront(el)
		return el.Value.(*entry[V]).value
	}
	c.items[k] = c.order.PushFront(&entry[V]{key: k, value: v})
	for c.order.Len() > c.size {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*entry[V]).key)
	}
	return v
}

func (c *lru[V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// table is a concurrent map bounded by count: when full, it starts afresh. Reading a key
// present takes no lock.
type table[V any] struct {
	limit int64
	n     atomic.Int64
	m     atomic.Pointer[sync.Map]
}

func newTable[V any](limit int) *table[V] {
	t := &table[V]{limit: int64(limit)}
	t.m.Store(&sync.Map{})
	return t
}

func (t *table[V]) get(k []byte) (V, bool) {
	if v, ok := t.m.Load().Load(string(k)); ok {
		return v.(V), true
	}
	var zero V
	return zero, false
}

func (t *table[V]) put(k string, v V) {
	if t.n.Add(1) > t.limit {
		t.m.Store(&sync.Map{})
		t.n.Store(1)
	}
	t.m.Load().Store(k, v)
}
