package rego_test

import (
	"context"
	"fmt"

	"github.com/kmsim/kmsim/rego"
)

func ExampleEngine_Prepare() {
	doc := []byte(`{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
	     "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
	    {"Sid": "Allow use of the key", "Effect": "Allow",
	     "Principal": {"AWS": "arn:aws:iam::111122223333:role/ExampleUserRole"},
	     "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}
	  ]
	}`)
	ctx := context.Background()
	p, err := rego.NewEngine().Prepare(ctx, doc, rego.KindKey)
	if err != nil {
		panic(err)
	}
	in := rego.NewInput(rego.Caller{
		ARN:     "arn:aws:sts::111122223333:assumed-role/ExampleUserRole/app",
		RoleARN: "arn:aws:iam::111122223333:role/ExampleUserRole",
		Account: "111122223333",
	}, "kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/k1", nil)
	res, err := p.Eval(ctx, in)
	if err != nil {
		panic(err)
	}
	for _, m := range res.Allow {
		fmt.Printf("%d %q via %s\n", m.Index, m.Sid, m.Via)
	}
	// Output:
	// 0 "Enable IAM User Permissions" via account
	// 1 "Allow use of the key" via role
}
