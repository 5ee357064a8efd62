//! The simulation's request parameters, read and checked once: the service model's constraints
//! (lengths, ranges, enums) are ValidationError; values IAM cannot simulate with (an ARN that is
//! not one, a context value not of its declared type) are InvalidInput.

use super::error::{SimError, SimResult};
use crate::query::params::Params;
use base64::Engine as _;

/// What a simulation asks, besides its policies.
pub struct Input {
    /// `service:Action` names, as given.
    pub actions: Vec<String>,
    /// Resource ARNs; `*` when none are given.
    pub resources: Vec<String>,
    /// ContextEntries: key and values (empty values are kept: the key then counts as absent).
    pub context: Vec<(String, Vec<String>)>,
    /// ResourceOwner's account id.
    pub resource_owner: Option<String>,
    pub caller: Option<UserArn>,
    pub page: Page,
}

/// An IAM user's ARN, taken apart (CallerArn).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserArn {
    pub arn: String,
    pub account: String,
    pub name: String,
}

/// Which (action, resource) pairs this call returns: `max_items` from `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub start: usize,
    pub max_items: usize,
}

/// IAM's default page size.
const DEFAULT_MAX_ITEMS: usize = 100;

/// The ContextKeyType values of the service model; `…List` types take several values.
const CONTEXT_TYPES: &[&str] = &[
    "string",
    "stringList",
    "numeric",
    "numericList",
    "boolean",
    "booleanList",
    "ip",
    "ipList",
    "binary",
    "binaryList",
    "date",
    "dateList",
];

/// The scenarios ResourceHandlingOption names (all EC2; Cairn simulates no EC2 resources, so they
/// change nothing, but they are valid input).
const RESOURCE_HANDLING: &[&str] = &[
    "EC2-VPC-InstanceStore",
    "EC2-VPC-InstanceStore-Subnet",
    "EC2-VPC-EBS",
    "EC2-VPC-EBS-Subnet",
];

impl Input {
    /// Reads everything but the policies; ActionNames is required.
    pub fn parse(params: &Params) -> SimResult<Input> {
        let actions = action_names(params)?;
        let resources = resource_arns(params)?;
        let context = context_entries(params)?;
        let resource_owner = params
            .get("ResourceOwner")
            .map(account_of_owner)
            .transpose()?;
        let caller = params.get("CallerArn").map(caller_arn).transpose()?;
        if let Some(option) = params.get("ResourceHandlingOption")
            && !RESOURCE_HANDLING.contains(&option)
        {
            return Err(SimError::InvalidInput(format!(
                "Invalid ResourceHandlingOption {option}: expected one of {}.",
                RESOURCE_HANDLING.join(", ")
            )));
        }
        Ok(Input {
            actions,
            resources,
            context,
            resource_owner,
            caller,
            page: page(params)?,
        })
    }

    /// The number of (action, resource) pairs.
    pub fn pairs(&self) -> usize {
        self.actions.len() * self.resources.len()
    }

    /// The `i`-th pair, action-major (every resource for the first action, then the next).
    pub fn pair(&self, i: usize) -> Option<(&str, &str)> {
        let n = self.resources.len();
        let action = self.actions.get(i.checked_div(n)?)?;
        let resource = self.resources.get(i % n)?;
        Some((action, resource))
    }
}

fn action_names(params: &Params) -> SimResult<Vec<String>> {
    let actions = params.list("ActionNames");
    if actions.is_empty() {
        return Err(SimError::missing("actionNames"));
    }
    for (i, a) in actions.iter().enumerate() {
        let field = format!("actionNames.{}.member", i + 1);
        let len = a.chars().count();
        if len < 3 {
            return Err(SimError::validation(
                a,
                field,
                "Member must have length greater than or equal to 3",
            ));
        }
        if len > 128 {
            return Err(SimError::validation(
                a,
                field,
                "Member must have length less than or equal to 128",
            ));
        }
        let well_formed = a.split_once(':').is_some_and(|(service, name)| {
            !service.is_empty() && !name.is_empty() && !name.contains(':')
        });
        if !well_formed {
            return Err(SimError::InvalidInput(format!(
                "Action {a} is not valid: an action name is a service prefix and an operation, such as s3:GetObject."
            )));
        }
        if a.contains(['*', '?']) {
            return Err(SimError::InvalidInput(format!(
                "Action {a} is not valid: action names cannot contain wildcards."
            )));
        }
    }
    Ok(actions)
}

fn resource_arns(params: &Params) -> SimResult<Vec<String>> {
    let resources = params.list("ResourceArns");
    for (i, r) in resources.iter().enumerate() {
        if r.is_empty() || r.chars().count() > 2048 {
            return Err(SimError::validation(
                r,
                format!("resourceArns.{}.member", i + 1),
                "Member must have length between 1 and 2048",
            ));
        }
        let arn = r.starts_with("arn:") && r.splitn(6, ':').count() == 6;
        if r != "*" && !arn {
            return Err(SimError::InvalidInput(format!(
                "Resource {r} is not valid: use an ARN or *."
            )));
        }
    }
    if resources.is_empty() {
        return Ok(vec!["*".to_string()]);
    }
    Ok(resources)
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// ResourceOwner: an account id, or the account's ARN `arn:aws:iam::ACCOUNT:root`.
fn account_of_owner(owner: &str) -> SimResult<String> {
    let account = owner
        .strip_prefix("arn:aws:iam::")
        .and_then(|rest| rest.strip_suffix(":root"))
        .unwrap_or(owner);
    if is_account_id(account) {
        Ok(account.to_string())
    } else {
        Err(SimError::InvalidInput(format!(
            "ResourceOwner {owner} is not valid: use an account id or arn:aws:iam::ACCOUNT:root."
        )))
    }
}

/// CallerArn: only an IAM user's ARN (AWS refuses roles, sessions, federated users, services).
pub fn caller_arn(arn: &str) -> SimResult<UserArn> {
    let invalid = || {
        SimError::InvalidInput(format!(
            "CallerArn {arn} is not valid: it must be the ARN of an IAM user."
        ))
    };
    let rest = arn.strip_prefix("arn:aws:iam::").ok_or_else(invalid)?;
    let (account, resource) = rest.split_once(':').ok_or_else(invalid)?;
    let path_name = resource.strip_prefix("user/").ok_or_else(invalid)?;
    let name = path_name.rsplit('/').next().unwrap_or_default();
    if !is_account_id(account) || name.is_empty() {
        return Err(invalid());
    }
    Ok(UserArn {
        arn: arn.to_string(),
        account: account.to_string(),
        name: name.to_string(),
    })
}

/// `ContextEntries.member.N.{ContextKeyName, ContextKeyValues.member.M, ContextKeyType}`.
fn context_entries(params: &Params) -> SimResult<Vec<(String, Vec<String>)>> {
    let mut out = Vec::new();
    for i in 1.. {
        let prefix = format!("ContextEntries.member.{i}");
        let Some(name) = params.get(&format!("{prefix}.ContextKeyName")) else {
            break;
        };
        let len = name.chars().count();
        if !(5..=256).contains(&len) {
            return Err(SimError::validation(
                name,
                format!("contextEntries.{i}.member.contextKeyName"),
                "Member must have length between 5 and 256",
            ));
        }
        let values = params.list(&format!("{prefix}.ContextKeyValues"));
        if let Some(kind) = params.get(&format!("{prefix}.ContextKeyType")) {
            if !CONTEXT_TYPES.contains(&kind) {
                return Err(SimError::validation(
                    kind,
                    format!("contextEntries.{i}.member.contextKeyType"),
                    &format!(
                        "Member must satisfy enum value set: [{}]",
                        CONTEXT_TYPES.join(", ")
                    ),
                ));
            }
            check_values(name, kind, &values)?;
        }
        out.push((name.to_string(), values));
    }
    Ok(out)
}

/// Each value must read as its declared type, as the engine will read it in conditions.
fn check_values(name: &str, kind: &str, values: &[String]) -> SimResult<()> {
    let base = kind.strip_suffix("List").unwrap_or(kind);
    if base == kind && values.len() > 1 {
        return Err(SimError::InvalidInput(format!(
            "Context key {name} of type {kind} takes one value; use {kind}List for several."
        )));
    }
    let ok = |v: &str| match base {
        "numeric" => v.trim().parse::<f64>().is_ok_and(f64::is_finite),
        "boolean" => v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false"),
        "ip" => is_ip_or_cidr(v),
        "date" => cairn_policy::explain::is_date(v),
        "binary" => base64::engine::general_purpose::STANDARD.decode(v).is_ok(),
        _ => true,
    };
    match values.iter().find(|v| !ok(v)) {
        Some(bad) => Err(SimError::InvalidInput(format!(
            "Context key {name}: value {bad} is not a valid {base}."
        ))),
        None => Ok(()),
    }
}

fn is_ip_or_cidr(v: &str) -> bool {
    let (addr, prefix) = match v.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (v, None),
    };
    let Ok(ip) = addr.parse::<std::net::IpAddr>() else {
        return false;
    };
    let max = if ip.is_ipv4() { 32 } else { 128 };
    prefix.is_none_or(|p| p.parse::<u8>().is_ok_and(|p| p <= max))
}

/// MaxItems (1–1000, default 100) and Marker (the index of the next pair, from IsTruncated).
fn page(params: &Params) -> SimResult<Page> {
    let max_items = match params.get("MaxItems") {
        None => DEFAULT_MAX_ITEMS,
        Some(v) => {
            let n: i64 = v
                .parse()
                .map_err(|_| SimError::validation(v, "maxItems", "Member must be an integer"))?;
            if n < 1 {
                return Err(SimError::validation(
                    v,
                    "maxItems",
                    "Member must have value greater than or equal to 1",
                ));
            }
            if n > 1000 {
                return Err(SimError::validation(
                    v,
                    "maxItems",
                    "Member must have value less than or equal to 1000",
                ));
            }
            n as usize
        }
    };
    let start = match params.get("Marker") {
        None => 0,
        Some(m) => m
            .parse::<usize>()
            .map_err(|_| SimError::InvalidInput(format!("Invalid Marker: {m}")))?,
    };
    Ok(Page { start, max_items })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(body: &str) -> Params {
        Params::parse(body.as_bytes(), None)
    }

    #[test]
    fn pairs_are_action_major_and_resources_default_to_star() {
        let input = Input::parse(&params(
            "ActionNames.member.1=s3:GetObject&ActionNames.member.2=s3:PutObject",
        ))
        .unwrap();
        assert_eq!(input.resources, ["*"]);
        assert_eq!(input.pairs(), 2);
        assert_eq!(input.pair(1), Some(("s3:PutObject", "*")));
        assert_eq!(input.pair(2), None);
        let input = Input::parse(&params(
            "ActionNames.member.1=s3:GetObject&ActionNames.member.2=s3:PutObject&ResourceArns.member.1=arn:aws:s3:::b/1&ResourceArns.member.2=arn:aws:s3:::b/2",
        ))
        .unwrap();
        assert_eq!(input.pair(1), Some(("s3:GetObject", "arn:aws:s3:::b/2")));
        assert_eq!(input.pair(2), Some(("s3:PutObject", "arn:aws:s3:::b/1")));
    }

    #[test]
    fn bad_values_are_refused_with_iams_codes() {
        let code = |body: &str| match Input::parse(&params(body)) {
            Ok(_) => "ok",
            Err(SimError::Validation { .. }) => "ValidationError",
            Err(SimError::InvalidInput(_)) => "InvalidInput",
            Err(_) => "other",
        };
        let a = "ActionNames.member.1=s3:GetObject";
        assert_eq!(code(""), "ValidationError");
        assert_eq!(code("ActionNames.member.1=s3"), "ValidationError");
        assert_eq!(code("ActionNames.member.1=s3:Get*"), "InvalidInput");
        assert_eq!(code("ActionNames.member.1=GetObject"), "InvalidInput");
        assert_eq!(
            code(&format!("{a}&ResourceArns.member.1=bucket")),
            "InvalidInput"
        );
        assert_eq!(code(&format!("{a}&ResourceOwner=12345")), "InvalidInput");
        assert_eq!(
            code(&format!("{a}&ResourceOwner=arn:aws:iam::123456789012:root")),
            "ok"
        );
        assert_eq!(
            code(&format!("{a}&CallerArn=arn:aws:iam::123456789012:role/r")),
            "InvalidInput"
        );
        assert_eq!(
            code(&format!("{a}&CallerArn=arn:aws:iam::123456789012:user/a/b")),
            "ok"
        );
        assert_eq!(code(&format!("{a}&MaxItems=0")), "ValidationError");
        assert_eq!(code(&format!("{a}&MaxItems=1001")), "ValidationError");
        assert_eq!(code(&format!("{a}&Marker=xyz")), "InvalidInput");
        assert_eq!(
            code(&format!("{a}&ResourceHandlingOption=EC2-VPC-EBS")),
            "ok"
        );
        assert_eq!(
            code(&format!("{a}&ResourceHandlingOption=S3")),
            "InvalidInput"
        );
        let entry = |kind: &str, values: &[&str]| {
            let mut body = format!(
                "{a}&ContextEntries.member.1.ContextKeyName=aws:SomeKey&ContextEntries.member.1.ContextKeyType={kind}"
            );
            for (i, v) in values.iter().enumerate() {
                body.push_str(&format!(
                    "&ContextEntries.member.1.ContextKeyValues.member.{}={v}",
                    i + 1
                ));
            }
            code(&body)
        };
        assert_eq!(entry("ip", &["10.0.0.1"]), "ok");
        assert_eq!(entry("ipList", &["10.0.0.0/8", "::1"]), "ok");
        assert_eq!(entry("ip", &["10.0.0.1", "10.0.0.2"]), "InvalidInput");
        assert_eq!(entry("ip", &["10.0.0.0/33"]), "InvalidInput");
        assert_eq!(entry("numeric", &["12.5"]), "ok");
        assert_eq!(entry("numeric", &["twelve"]), "InvalidInput");
        assert_eq!(entry("boolean", &["TRUE"]), "ok");
        assert_eq!(entry("boolean", &["yes"]), "InvalidInput");
        assert_eq!(entry("date", &["2019-04-25T11:00:00Z"]), "ok");
        assert_eq!(entry("date", &["yesterday"]), "InvalidInput");
        assert_eq!(entry("binary", &["aGVsbG8="]), "ok");
        assert_eq!(entry("binary", &["%%%"]), "InvalidInput");
        assert_eq!(entry("text", &["x"]), "ValidationError");
    }
}
