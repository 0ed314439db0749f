package rego

import (
	"container/list"
	"sync"
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
