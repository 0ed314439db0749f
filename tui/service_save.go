package tui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/kmsim/kmsim/cmd/serve"
	"github.com/kmsim/kmsim/evaluator"
	"github.com/kmsim/kmsim/evaluator/worldview"
	"github.com/kmsim/kmsim/fixtures"
	"github.com/kmsim/kmsim/simulator"
	"github.com/kmsim/kmsim/trail"
	"github.com/kmsim/kmsim/tui/common"
)

// SavePlan lists the world's principals that hold credentials and may call PutKeyPolicy on k (a
// request without context, as the simulator would decide it), those the proposal doc keeps able to
// change the policy first: the lockout safety check refuses a policy that would lock its caller out.
// It also says where the call would go.
func (s *worldService) SavePlan(ctx context.Context, k common.Key, doc []byte) (common.SavePlan, error) {
	plan := common.SavePlan{Via: s.via()}
	s.sync(ctx)
	k = s.resolve(k)
	w := s.current()
	proposed := &evaluator.Policy{ID: "proposal", Kind: evaluator.KindKey, Document: doc}
	ev := s.evaluator()
	var keeps, loses []string
	seen := map[string]bool{}
	for _, c := range s.usableCredentials() {
		if seen[c.ARN] {
			continue
		}
		seen[c.ARN] = true
		now, err := mayPutKeyPolicy(ctx, ev, w, c, k, worldview.KeyPolicy(w, k.Key))
		if err != nil {
			return plan, err
		}
		if !now {
			continue
		}
		after, err := mayPutKeyPolicy(ctx, ev, w, c, k, proposed)
		if err != nil {
			return plan, err
		}
		if after {
			keeps = append(keeps, c.ARN)
		} else {
			loses = append(loses, c.ARN)
		}
	}
	sort.Slice(keeps, func(i, j int) bool { return actorLess(keeps[i], keeps[j]) })
	sort.Slice(loses, func(i, j int) bool { return actorLess(loses[i], loses[j]) })
	plan.Actors, plan.LockedOut = append(keeps, loses...), len(loses)
	return plan, nil
}

// evaluator is the service's evaluator: it keeps the queries it compiled across plans.
func (s *worldService) evaluator() *evaluator.Evaluator {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ev == nil {
		s.ev = evaluator.New()
	}
	return s.ev
}

// actorLess orders principals for acting: IAM users and role sessions before account roots (AWS
// advises against using root credentials), then by ARN.
func actorLess(a, b string) bool {
	ra, rb := isRoot(a), isRoot(b)
	if ra != rb {
		return rb
	}
	return a < b
}

func isRoot(arn string) bool { return len(arn) > 5 && arn[len(arn)-5:] == ":root" }

func mayPutKeyPolicy(ctx context.Context, ev *evaluator.Evaluator, w *fixtures.World, c fixtures.Credential, k common.Key, pol *evaluator.Policy) (bool, error) {
	req := evaluator.Request{Principal: worldview.Principal(w, c, nil), Action: "kms:PutKeyPolicy", Resource: k.ARN,
		ResourceAccount: k.Account, ResourcePolicy: pol,
		Context: map[string][]string{"kms:BypassPolicyLockoutSafetyCheck": {"false"}}}
	d, err := ev.Decide(ctx, req)
	if err != nil {
		return false, err
	}
	return d.Allowed(), nil
}

// usableCredentials are the world's active credentials whose sessions have not expired.
func (s *worldService) usableCredentials() []fixtures.Credential {
	var out []fixtures.Credential
	for _, c := range s.current().Credentials() {
		if c.Status != "" && c.Status != "Active" {
			continue
		}
		if c.Expiration != "" {
			if t, err := time.Parse(time.RFC3339, c.Expiration); err == nil && t.Before(time.Now()) {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// via says where a save goes: the server holding the data directory, or a simulator started on it.
func (s *worldService) via() string {
	if addr, ok := s.serverAddr(); ok {
		return "the kmsim server at " + addr
	}
	return "a simulator started here on the data directory (no server holds it)"
}

// serverAddr is the address of a server that holds the data directory and answers.
func (s *worldService) serverAddr() (string, bool) {
	info, ok := serve.ReadServerInfo(s.dataDir)
	if !ok {
		return "", false
	}
	conn, err := net.DialTimeout("tcp", info.Addr, time.Second)
	if err != nil {
		return "", false // a server killed without removing server.json
	}
	conn.Close()
	return info.Addr, true
}

// SavePolicy applies doc as k's key policy through the simulator: a SigV4-signed PutKeyPolicy made
// with the AWS SDK's KMS client, with the credentials of actor (a principal SavePlan offered), to
// the server that holds the data directory or, when none does, to a simulator started on it for the
// call. The simulator runs the lockout safety check. An answer from AWS's API, success or exception,
// is in the result; the error is for a call that could not be made.
func (s *worldService) SavePolicy(ctx context.Context, k common.Key, actor string, doc []byte) (common.SaveResult, error) {
	res := common.SaveResult{Actor: actor, Via: s.via()}
	var cred *fixtures.Credential
	for _, c := range s.usableCredentials() {
		if c.ARN == actor {
			cred = &c
			break
		}
	}
	if cred == nil {
		return res, fmt.Errorf("%s has no usable credentials in the world", actor)
	}
	endpoint, stop, err := s.simulatorEndpoint()
	if err != nil {
		return res, err
	}
	defer stop()
	creds := aws.Credentials{AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.SecretAccessKey, SessionToken: cred.SessionToken, Source: "kmsim world"}
	client := kms.New(kms.Options{
		Region: k.Region, BaseEndpoint: aws.String(endpoint), RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil }),
	})
	_, err = client.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(k.ARN), PolicyName: aws.String("default"), Policy: aws.String(string(doc))})
	var apiErr interface { // smithy.APIError: an exception the API answered
		ErrorCode() string
		ErrorMessage() string
	}
	switch {
	case errors.As(err, &apiErr):
		res.Code, res.Message = apiErr.ErrorCode(), apiErr.ErrorMessage()
		return res, nil
	case err != nil:
		return res, err
	}
	res.Saved = true
	s.setPolicy(k, doc)
	return res, nil
}

// setPolicy makes doc the key's policy in the world the views read, and drops the analyses made
// under the previous one.
func (s *worldService) setPolicy(k common.Key, doc []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b bytes.Buffer
	if json.Compact(&b, doc) != nil {
		b.Reset()
		b.Write(doc)
	}
	k.Key.Policy = fixtures.Document(b.Bytes())
	s.an = nil
}

// simulatorEndpoint returns the URL of the server holding the data directory or, when none
// answers, of a simulator started on it (stop ends it).
func (s *worldService) simulatorEndpoint() (endpoint string, stop func(), err error) {
	if addr, ok := s.serverAddr(); ok {
		return "http://" + addr, func() {}, nil
	}
	if err := os.MkdirAll(s.dataDir, 0o700); err != nil {
		return "", nil, err
	}
	store, err := trail.Open(filepath.Join(s.dataDir, "kmsim.duckdb"))
	if err != nil {
		return "", nil, fmt.Errorf("open trail: %w", err)
	}
	logger := slog.New(slog.DiscardHandler)
	writer, err := trail.NewWriter(store, filepath.Join(s.dataDir, "trail.journal"), trail.WithLogger(logger))
	if err != nil {
		store.Close()
		return "", nil, fmt.Errorf("open trail journal: %w", err)
	}
	srv, err := simulator.New(simulator.Config{World: s.base, DataDir: s.dataDir, Recorder: writer, Logger: logger})
	if err != nil {
		writer.Close()
		store.Close()
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		writer.Close()
		store.Close()
		return "", nil, err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	return "http://" + ln.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
		srv.Close()
		writer.Close()
		store.Close()
	}, nil
}
