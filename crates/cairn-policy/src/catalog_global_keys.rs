//! The global condition keys (`aws:` prefix) and their data types, written once from
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>
//! ("AWS global condition context keys"). Service keys live in the generated catalog.
//! A `${TagKey}` suffix stands for any tag key.

use crate::catalog::ConditionType::{self, *};

/// Every global key, grouped as the page groups them.
#[rustfmt::skip]
pub(crate) static GLOBAL_KEYS: &[(&str, ConditionType)] = &[
    // Properties of the principal
    ("aws:PrincipalArn", Arn),
    ("aws:PrincipalAccount", String),
    ("aws:PrincipalOrgPaths", ArrayOfString),
    ("aws:PrincipalOrgID", String),
    ("aws:PrincipalTag/${TagKey}", String),
    ("aws:PrincipalIsAWSService", Bool),
    ("aws:PrincipalServiceName", String),
    ("aws:PrincipalServiceNamesList", ArrayOfString),
    ("aws:PrincipalType", String),
    ("aws:userid", String),
    ("aws:username", String),
    // Properties of a role session
    ("aws:AssumedRoot", String),
    ("aws:FederatedProvider", String),
    ("aws:TokenIssueTime", Date),
    ("aws:MultiFactorAuthAge", Numeric),
    ("aws:MultiFactorAuthPresent", Bool),
    ("aws:ChatbotSourceArn", Arn),
    ("aws:Ec2InstanceSourceVpc", String),
    ("aws:Ec2InstanceSourcePrivateIPv4", IpAddress),
    ("aws:SourceIdentity", String),
    // Properties of the network
    ("aws:SourceIp", IpAddress),
    ("aws:SourceVpc", String),
    ("aws:SourceVpcArn", Arn),
    ("aws:SourceVpce", String),
    ("aws:VpcSourceIp", IpAddress),
    ("aws:VpceAccount", String),
    ("aws:VpceOrgID", String),
    ("aws:VpceOrgPaths", ArrayOfString),
    // Properties of the resource
    ("aws:ResourceAccount", String),
    ("aws:ResourceOrgID", String),
    ("aws:ResourceOrgPaths", ArrayOfString),
    ("aws:ResourceTag/${TagKey}", String),
    // Properties of the request
    ("aws:CalledVia", ArrayOfString),
    ("aws:CalledViaFirst", String),
    ("aws:CalledViaLast", String),
    ("aws:ViaAWSService", Bool),
    ("aws:CurrentTime", Date),
    ("aws:EpochTime", DateOrNumeric),
    ("aws:referer", String),
    ("aws:RequestedRegion", String),
    ("aws:RequestTag/${TagKey}", String),
    ("aws:TagKeys", ArrayOfString),
    ("aws:SecureTransport", Bool),
    ("aws:SourceAccount", String),
    ("aws:SourceArn", Arn),
    ("aws:SourceOrgID", String),
    ("aws:SourceOrgPaths", ArrayOfString),
    ("aws:UserAgent", String),
    ("aws:IsMcpServiceAction", Bool),
    ("aws:ViaAWSMCPService", Bool),
    ("aws:CalledViaAWSMCP", String),
    // Not on the page but accepted by the services that set them (SNS, SES, Lambda).
    ("aws:SourceOwner", String),
];
