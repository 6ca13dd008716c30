//! Where configuration values come from: environment variables by name,
//! handed in as a value (this crate reads no environment itself).
//!
//! Below both [`crate::settings`] and [`crate::profile`], which read
//! variables through it; the public name is
//! [`settings::Environment`](crate::settings::Environment).

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

/// Where configuration values come from: environment variables by name.
///
/// Implemented for closures (`|name: &str| std::env::var(name).ok()`),
/// maps from names to values, and slices or arrays of `(name, value)`
/// pairs. Empty or all-whitespace values count as unset.
pub trait Environment {
    /// The value of variable `name`, if set.
    fn var(&self, name: &str) -> Option<String>;
}

impl<F: Fn(&str) -> Option<String>> Environment for F {
    fn var(&self, name: &str) -> Option<String> {
        self(name)
    }
}

impl<S: BuildHasher> Environment for HashMap<String, String, S> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

impl<S: BuildHasher> Environment for HashMap<&str, &str, S> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).map(|v| (*v).to_owned())
    }
}

impl Environment for BTreeMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

impl Environment for BTreeMap<&str, &str> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).map(|v| (*v).to_owned())
    }
}

impl Environment for [(&str, &str)] {
    fn var(&self, name: &str) -> Option<String> {
        self.iter()
            .rev()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

impl<const N: usize> Environment for [(&str, &str); N] {
    fn var(&self, name: &str) -> Option<String> {
        self.as_slice().var(name)
    }
}

/// The trimmed value of `name`, `None` when unset or blank.
pub(crate) fn lookup<E: Environment + ?Sized>(env: &E, name: &str) -> Option<String> {
    let value = env.var(name)?;
    let trimmed = value.trim();
    if trimmed.is_empty() {
        None
    } else if trimmed.len() == value.len() {
        Some(value)
    } else {
        Some(trimmed.to_owned())
    }
}
