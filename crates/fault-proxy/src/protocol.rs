//! What a request is (service and operation), and errors shaped as its protocol shapes
//! them, so the SDK classifies an injected fault exactly as it would AWS's own.

use bytes::Bytes;
use http_body_util::Full;
use hyper::http::request::Parts;
use hyper::{HeaderMap, Method, Response};

/// The service named by the SigV4 credential scope (`Credential=KEY/DATE/REGION/SERVICE/aws4_request`).
pub(crate) fn service(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split("Credential=").nth(1))
        .and_then(|credential| credential.split('/').nth(3))
        .unwrap_or("unknown")
        .to_owned()
}

/// The operation: from `X-Amz-Target` (JSON protocols), from `Action=` (query
/// protocols), else the method and the first path segment (REST protocols), with S3's
/// subresource (`?lifecycle`) when there is one.
pub(crate) fn operation(service: &str, parts: &Parts, body: &Bytes) -> String {
    if let Some(target) = parts.headers.get("x-amz-target").and_then(|value| value.to_str().ok()) {
        return target.rsplit('.').next().unwrap_or(target).to_owned();
    }
    let query = parts.uri.query().unwrap_or_default();
    let form = std::str::from_utf8(body).unwrap_or_default();
    if let Some(action) = form.split('&').chain(query.split('&')).find_map(|pair| pair.strip_prefix("Action=")) {
        return action.to_owned();
    }
    let method = parts.method.as_str();
    let mut segments = parts.uri.path().split('/').filter(|segment| !segment.is_empty());
    if service == "s3" {
        let subresource = query.split('&').map(|pair| pair.split('=').next().unwrap_or_default()).find(|key| !key.is_empty());
        return match (segments.next(), segments.next(), subresource) {
            (None, ..) => format!("{method} /"),
            (Some(_), None, Some(key)) => format!("{method} bucket?{key}"),
            (Some(_), None, None) => format!("{method} bucket"),
            (Some(_), Some(_), Some(key)) => format!("{method} object?{key}"),
            (Some(_), Some(_), None) => format!("{method} object"),
        };
    }
    format!("{method} /{}", segments.next().unwrap_or_default())
}

enum Shape {
    /// awsJson 1.0 / 1.1: ECS, SSM, KMS, CloudTrail, Config.
    Json,
    /// restJson: GuardDuty, Security Hub.
    RestJson,
    /// awsQuery: RDS, STS, ELBv2, IAM, SNS, CloudWatch.
    Query,
    Ec2,
    S3,
}

fn shape(service: &str, json_target: bool) -> Shape {
    match service {
        "s3" => Shape::S3,
        "ec2" => Shape::Ec2,
        "rds" | "sts" | "elasticloadbalancing" | "iam" | "sns" | "monitoring" | "sqs" => Shape::Query,
        _ if json_target => Shape::Json,
        _ => Shape::RestJson,
    }
}

/// The throttling answer of the request's protocol: `ThrottlingException` (JSON),
/// `Throttling` (query), `RequestLimitExceeded` (EC2), `503 SlowDown` (S3).
pub(crate) fn throttling(service: &str, parts: &Parts) -> Response<Full<Bytes>> {
    let json_target = parts.headers.contains_key("x-amz-target");
    match shape(service, json_target) {
        Shape::Json => json(400, "ThrottlingException", "Rate exceeded", &parts.method),
        Shape::RestJson => json(429, "TooManyRequestsException", "Rate exceeded", &parts.method),
        Shape::Query => query(400, "Sender", "Throttling", "Rate exceeded", &parts.method),
        Shape::Ec2 => ec2(503, "RequestLimitExceeded", "Request limit exceeded.", &parts.method),
        Shape::S3 => s3(503, "SlowDown", "Please reduce your request rate.", &parts.method),
    }
}

/// HTTP 500 in the request's protocol's error shape.
pub(crate) fn server_error(service: &str, parts: &Parts) -> Response<Full<Bytes>> {
    let json_target = parts.headers.contains_key("x-amz-target");
    let message = "We encountered an internal error. Please try again.";
    match shape(service, json_target) {
        Shape::Json | Shape::RestJson => json(500, "InternalFailure", message, &parts.method),
        Shape::Query => query(500, "Receiver", "InternalFailure", message, &parts.method),
        Shape::Ec2 => ec2(500, "InternalError", message, &parts.method),
        Shape::S3 => s3(500, "InternalError", message, &parts.method),
    }
}

/// The access-denied answer of the request's protocol, as AWS gives it to a caller
/// without the permission.
pub(crate) fn access_denied(service: &str, parts: &Parts) -> Response<Full<Bytes>> {
    let json_target = parts.headers.contains_key("x-amz-target");
    let message = "User is not authorized to perform this operation (denied by the fault proxy)";
    match shape(service, json_target) {
        Shape::Json => json(400, "AccessDeniedException", message, &parts.method),
        Shape::RestJson => json(403, "AccessDeniedException", message, &parts.method),
        Shape::Query => query(403, "Sender", "AccessDenied", message, &parts.method),
        Shape::Ec2 => ec2(403, "UnauthorizedOperation", message, &parts.method),
        Shape::S3 => s3(403, "AccessDenied", message, &parts.method),
    }
}

const REQUEST_ID: &str = "fault-proxy-0000-0000";

fn respond(status: u16, content_type: &str, code: &str, method: &Method, body: String) -> Response<Full<Bytes>> {
    // A HEAD answer has no body: S3 classifies it by status alone.
    let body = if method == Method::HEAD { Bytes::new() } else { Bytes::from(body) };
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .header("x-amzn-errortype", code)
        .header("x-amzn-requestid", REQUEST_ID)
        .body(Full::new(body))
        .unwrap_or_default()
}

fn json(status: u16, code: &str, message: &str, method: &Method) -> Response<Full<Bytes>> {
    let body = serde_json::json!({ "__type": code, "message": message }).to_string();
    respond(status, "application/x-amz-json-1.1", code, method, body)
}

fn query(status: u16, kind: &str, code: &str, message: &str, method: &Method) -> Response<Full<Bytes>> {
    let body = format!(
        "<ErrorResponse xmlns=\"https://fault-proxy/\"><Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>{REQUEST_ID}</RequestId></ErrorResponse>"
    );
    respond(status, "text/xml", code, method, body)
}

fn ec2(status: u16, code: &str, message: &str, method: &Method) -> Response<Full<Bytes>> {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>{REQUEST_ID}</RequestID></Response>"
    );
    respond(status, "text/xml", code, method, body)
}

fn s3(status: u16, code: &str, message: &str, method: &Method) -> Response<Full<Bytes>> {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{REQUEST_ID}</RequestId></Error>"
    );
    respond(status, "application/xml", code, method, body)
}
