-- 0002: typed columns for the fields people filter on, imported records, and
-- principalArn as auditors read it. The table is rebuilt (new column order)
-- and every existing row is re-derived from its record JSON; until now only
-- the simulator wrote rows, so their source is 'simulator'.
--
-- principalArn: the session issuer's ARN (the role) for AssumedRole callers,
--   else userIdentity.arn, else userIdentity.invokedBy (AWS service calls).
-- callerArn: userIdentity.arn as recorded (the assumed-role session ARN).
-- keyArn: resources[type = AWS::KMS::Key].ARN, else a resource ARN naming a
--   key (some real records' resources lack "type"), else
--   requestParameters.keyId or responseElements.keyMetadata.arn when a key ARN.
-- The expressions are kept equal to trail/derive.go (derivedColumns).
CREATE TABLE events_v2 (
    eventID             VARCHAR PRIMARY KEY,
    eventTime           TIMESTAMP NOT NULL, -- UTC
    eventVersion        VARCHAR,
    eventSource         VARCHAR,
    eventName           VARCHAR,
    awsRegion           VARCHAR,
    sourceIPAddress     VARCHAR,
    userAgent           VARCHAR,
    errorCode           VARCHAR,
    errorMessage        VARCHAR,
    requestID           VARCHAR,
    readOnly            BOOLEAN,  -- NULL when the record lacks it
    eventType           VARCHAR,
    managementEvent     BOOLEAN,  -- NULL when the record lacks it
    recipientAccountId  VARCHAR,
    eventCategory       VARCHAR,
    sharedEventID       VARCHAR,
    vpcEndpointId       VARCHAR,
    userIdentityType    VARCHAR,  -- userIdentity.type (NULL for records without one)
    principalArn        VARCHAR,  -- role ARN for assumed roles, else userIdentity.arn, else invokedBy
    callerArn           VARCHAR,  -- userIdentity.arn
    sessionIssuerArn    VARCHAR,  -- userIdentity.sessionContext.sessionIssuer.arn
    callerAccountId     VARCHAR,  -- userIdentity.accountId
    keyArn              VARCHAR,
    keyAccountId        VARCHAR,  -- the account field of keyArn
    userIdentity        JSON,
    requestParameters   JSON,
    responseElements    JSON,
    additionalEventData JSON,
    resources           STRUCT(accountId VARCHAR, "type" VARCHAR, ARN VARCHAR)[],
    tlsDetails          STRUCT(tlsVersion VARCHAR, cipherSuite VARCHAR, clientProvidedHostHeader VARCHAR),
    source              VARCHAR NOT NULL, -- 'simulator' or 'import:<file path>'
    record              JSON NOT NULL     -- the record: as marshalled, or as imported (unknown fields kept)
);

INSERT INTO events_v2
SELECT
    r.eventID AS eventID,
    CAST(try_cast(r.eventTime AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP) AS eventTime,
    nullif(r.eventVersion, '') AS eventVersion,
    nullif(r.eventSource, '') AS eventSource,
    nullif(r.eventName, '') AS eventName,
    nullif(r.awsRegion, '') AS awsRegion,
    nullif(r.sourceIPAddress, '') AS sourceIPAddress,
    nullif(r.userAgent, '') AS userAgent,
    nullif(r.errorCode, '') AS errorCode,
    nullif(r.errorMessage, '') AS errorMessage,
    nullif(r.requestID, '') AS requestID,
    r.readOnly AS readOnly,
    nullif(r.eventType, '') AS eventType,
    r.managementEvent AS managementEvent,
    nullif(r.recipientAccountId, '') AS recipientAccountId,
    nullif(r.eventCategory, '') AS eventCategory,
    nullif(r.sharedEventID, '') AS sharedEventID,
    nullif(r.vpcEndpointId, '') AS vpcEndpointId,
    nullif(u.type, '') AS userIdentityType,
    CASE WHEN u.type = 'AssumedRole' AND nullif(u.sessionContext.sessionIssuer.arn, '') IS NOT NULL THEN u.sessionContext.sessionIssuer.arn ELSE coalesce(nullif(u.arn, ''), nullif(u.invokedBy, '')) END AS principalArn,
    nullif(u.arn, '') AS callerArn,
    nullif(u.sessionContext.sessionIssuer.arn, '') AS sessionIssuerArn,
    nullif(u.accountId, '') AS callerAccountId,
    coalesce(list_filter(r.resources, lambda x: x."type" = 'AWS::KMS::Key' AND nullif(x.ARN, '') IS NOT NULL)[1].ARN, list_filter(r.resources, lambda x: x.ARN LIKE 'arn:%:kms:%:key/%')[1].ARN, CASE WHEN r.requestParameters->>'$.keyId' LIKE 'arn:%:kms:%:key/%' THEN r.requestParameters->>'$.keyId' END, CASE WHEN r.responseElements->>'$.keyMetadata.arn' LIKE 'arn:%:kms:%:key/%' THEN r.responseElements->>'$.keyMetadata.arn' END) AS keyArn,
    nullif(split_part(coalesce(list_filter(r.resources, lambda x: x."type" = 'AWS::KMS::Key' AND nullif(x.ARN, '') IS NOT NULL)[1].ARN, list_filter(r.resources, lambda x: x.ARN LIKE 'arn:%:kms:%:key/%')[1].ARN, CASE WHEN r.requestParameters->>'$.keyId' LIKE 'arn:%:kms:%:key/%' THEN r.requestParameters->>'$.keyId' END, CASE WHEN r.responseElements->>'$.keyMetadata.arn' LIKE 'arn:%:kms:%:key/%' THEN r.responseElements->>'$.keyMetadata.arn' END), ':', 5), '') AS keyAccountId,
    r.userIdentity AS userIdentity,
    r.requestParameters AS requestParameters,
    r.responseElements AS responseElements,
    r.additionalEventData AS additionalEventData,
    r.resources AS resources,
    r.tlsDetails AS tlsDetails,
    'simulator' AS source,
    record::JSON AS record
FROM (SELECT *, from_json(r.userIdentity, '{"type":"VARCHAR","arn":"VARCHAR","accountId":"VARCHAR","invokedBy":"VARCHAR","sessionContext":{"sessionIssuer":{"arn":"VARCHAR"}}}') AS u
      FROM (SELECT record, from_json(record, '{"eventVersion":"VARCHAR","userIdentity":"JSON","eventTime":"VARCHAR","eventSource":"VARCHAR","eventName":"VARCHAR","awsRegion":"VARCHAR","sourceIPAddress":"VARCHAR","userAgent":"VARCHAR","errorCode":"VARCHAR","errorMessage":"VARCHAR","requestParameters":"JSON","responseElements":"JSON","additionalEventData":"JSON","requestID":"VARCHAR","eventID":"VARCHAR","readOnly":"BOOLEAN","resources":[{"accountId":"VARCHAR","type":"VARCHAR","ARN":"VARCHAR"}],"eventType":"VARCHAR","managementEvent":"BOOLEAN","recipientAccountId":"VARCHAR","sharedEventID":"VARCHAR","vpcEndpointId":"VARCHAR","eventCategory":"VARCHAR","tlsDetails":{"tlsVersion":"VARCHAR","cipherSuite":"VARCHAR","clientProvidedHostHeader":"VARCHAR"}}') AS r
            FROM (SELECT record::VARCHAR AS record FROM events)));

DROP TABLE events;
ALTER TABLE events_v2 RENAME TO events;
