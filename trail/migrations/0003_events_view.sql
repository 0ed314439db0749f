-- 0003: events becomes a view over the table stored_events, which holds the
-- typed columns, userIdentity, requestParameters, resources and the record
-- but no longer a second copy of its other parts: responseElements,
-- additionalEventData and tlsDetails are read from record by the queries
-- that ask for them (one parse of a record gives all three). Storing them
-- cost import time for columns that queries read only of the rows they have
-- filtered; the columns queries filter and group on stay stored, derived
-- from each record as it is checked, in Go (trail/derive.go). The record is VARCHAR now:
-- it was checked before it was stored, and a JSON cast re-parsed every
-- record a query read (json functions take VARCHAR alike). events keeps
-- 0002's columns, order and values; rows are inserted into and deleted from
-- stored_events.
CREATE TABLE stored_events (
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
    resources           STRUCT(accountId VARCHAR, "type" VARCHAR, ARN VARCHAR)[],
    source              VARCHAR NOT NULL, -- 'simulator' or 'import:<file path>'
    record              VARCHAR NOT NULL  -- the record: as marshalled, or as imported (unknown fields kept)
);

INSERT INTO stored_events
SELECT * EXCLUDE (responseElements, additionalEventData, tlsDetails)
FROM events;

DROP TABLE events;

CREATE VIEW events AS
SELECT eventID, eventTime, eventVersion, eventSource, eventName, awsRegion, sourceIPAddress, userAgent,
    errorCode, errorMessage, requestID, readOnly, eventType, managementEvent, recipientAccountId,
    eventCategory, sharedEventID, vpcEndpointId, userIdentityType, principalArn, callerArn,
    sessionIssuerArn, callerAccountId, keyArn, keyAccountId,
    userIdentity,
    requestParameters,
    j.responseElements AS responseElements,
    j.additionalEventData AS additionalEventData,
    resources,
    j.tlsDetails AS tlsDetails,
    source,
    record
FROM (SELECT *, from_json(record, '{"responseElements":"JSON","additionalEventData":"JSON",'
        || '"tlsDetails":{"tlsVersion":"VARCHAR","cipherSuite":"VARCHAR","clientProvidedHostHeader":"VARCHAR"}}') AS j
      FROM stored_events);
