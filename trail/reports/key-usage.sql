-- title: Key usage
-- description: >
--   Who used each KMS key, with which operations, when (first and last seen) and from
--   where (source IPs, VPC endpoints), with how many of those calls failed.
SELECT keyArn AS key,
       principalArn AS principal,
       eventName AS operation,
       count(*) AS calls,
       count(*) FILTER (WHERE errorCode IS NOT NULL) AS errors,
       min(eventTime) AS first_seen,
       max(eventTime) AS last_seen,
       coalesce(list_sort(list(DISTINCT sourceIPAddress) FILTER (WHERE sourceIPAddress IS NOT NULL))[1:10], []) AS source_ips,
       coalesce(list_sort(list(DISTINCT vpcEndpointId) FILTER (WHERE vpcEndpointId IS NOT NULL)), []) AS vpc_endpoints
FROM scope
WHERE eventSource = 'kms.amazonaws.com' AND keyArn IS NOT NULL
GROUP BY ALL
ORDER BY key, principal, operation
