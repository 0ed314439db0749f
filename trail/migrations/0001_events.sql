-- 0001: one row per CloudTrail record. Typed columns are named after the
-- record's top-level fields; everything else stays queryable through the
-- whole record in the JSON column (record->>'$.requestParameters.keyId').
CREATE TABLE events (
    eventID            VARCHAR PRIMARY KEY,
    eventTime          TIMESTAMP NOT NULL, -- UTC
    eventVersion       VARCHAR,
    eventSource        VARCHAR,
    eventName          VARCHAR,
    awsRegion          VARCHAR,
    sourceIPAddress    VARCHAR,
    userAgent          VARCHAR,
    errorCode          VARCHAR,
    errorMessage       VARCHAR,
    requestID          VARCHAR,
    readOnly           BOOLEAN,
    eventType          VARCHAR,
    managementEvent    BOOLEAN,
    recipientAccountId VARCHAR,
    eventCategory      VARCHAR,
    userIdentityType   VARCHAR, -- userIdentity.type
    principalArn       VARCHAR, -- userIdentity.arn
    sessionIssuerArn   VARCHAR, -- userIdentity.sessionContext.sessionIssuer.arn
    keyArn             VARCHAR, -- first resource of type AWS::KMS::Key
    record             JSON NOT NULL -- the record exactly as marshalled
);
