package simulator

// mutateKey applies f to the stored record of key under the state lock and journals the result
// before returning, so an acknowledged change survives a crash. f sees the latest record.
func (s *Server) mutateKey(key *keyRecord, f func(k *keyRecord) error) (*keyRecord, error) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	cur, ok := s.state.keys[key.index()]
	if !ok {
		return nil, errNotFound("Key '%s' does not exist", key.ARN())
	}
	k := *cur
	if err := f(&k); err != nil {
		return nil, err
	}
	if err := s.state.putKey(&k); err != nil {
		return nil, err
	}
	return &k, nil
}

// keyIDResponse is the responseElements CloudTrail records for most key management calls.
func keyIDResponse(k *keyRecord) map[string]any { return map[string]any{"keyId": k.ARN()} }
