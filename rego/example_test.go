package rego_test

import (
	"context"
	"fmt"

	"github.com/kmsim/kmsim/rego"
)

func ExampleEngine_Decide() {
	key := []byte(`{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
	     "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
	    {"Sid": "Allow use of the key", "Effect": "Allow",
	     "Principal": {"AWS": "arn:aws:iam::111122223333:role/ExampleUserRole"},
	     "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}
	  ]
	}`)
	d, err := rego.NewEngine().Decide(context.Background(), rego.Request{
		Caller: rego.Caller{
			ARN:     "arn:aws:sts::111122223333:assumed-role/ExampleUserRole/app",
			RoleARN: "arn:aws:iam::111122223333:role/ExampleUserRole",
			Account: "111122223333",
		},
		Action:          "kms:Decrypt",
		Resource:        "arn:aws:kms:us-east-1:111122223333:key/k1",
		ResourceAccount: "111122223333",
		ResourcePolicy:  &rego.Policy{Kind: rego.KindKey, Document: key},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(d.Effect)
	for _, m := range d.Matched {
		fmt.Printf("%s %d %q\n", m.Role, m.Index, m.Sid)
	}
	// Output:
	// allowed
	// resource 0 "Enable IAM User Permissions"
	// resource 1 "Allow use of the key"
}
