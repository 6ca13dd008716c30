//! The shard tree: which shards exist, who their parents and children are,
//! and which may be read now.

use std::collections::{BTreeMap, BTreeSet};

/// Where a shard stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// Not read: closed when a consumer starting at LATEST first saw it.
    NotRead,
    /// To be read once every parent is done.
    Waiting,
    /// Being read.
    Reading,
    /// Read to its end; done once its end is checkpointed.
    Ended,
    /// Read and processed to its end (or covered by a later checkpoint).
    Done,
}

#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) parents: Vec<String>,
    pub(crate) children: BTreeSet<String>,
    pub(crate) status: Status,
}

/// Every shard seen, by id.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    nodes: BTreeMap<String, Node>,
}

impl Tree {
    pub(crate) fn contains(&self, shard_id: &str) -> bool {
        self.nodes.contains_key(shard_id)
    }

    pub(crate) fn get(&self, shard_id: &str) -> Option<&Node> {
        self.nodes.get(shard_id)
    }

    pub(crate) fn status(&self, shard_id: &str) -> Option<Status> {
        self.nodes.get(shard_id).map(|n| n.status)
    }

    pub(crate) fn set_status(&mut self, shard_id: &str, status: Status) {
        if let Some(node) = self.nodes.get_mut(shard_id) {
            node.status = status;
        }
    }

    /// Adds a shard (if new) and links it to its parents that are known.
    /// Returns whether it was new.
    pub(crate) fn add(&mut self, shard_id: &str, parents: Vec<String>, status: Status) -> bool {
        if self.nodes.contains_key(shard_id) {
            return false;
        }
        for parent in &parents {
            if let Some(p) = self.nodes.get_mut(parent) {
                p.children.insert(shard_id.to_owned());
            }
        }
        let children = self
            .nodes
            .iter()
            .filter(|(_, n)| n.parents.iter().any(|p| p == shard_id))
            .map(|(id, _)| id.clone())
            .collect();
        self.nodes.insert(
            shard_id.to_owned(),
            Node {
                parents,
                children,
                status,
            },
        );
        true
    }

    /// Whether some parent of `parents` is in the tree and was (or will
    /// be) read: a shard following it is read from its start.
    pub(crate) fn follows_a_read_parent(&self, parents: &[String]) -> bool {
        parents.iter().any(|p| {
            self.nodes
                .get(p)
                .is_some_and(|n| n.status != Status::NotRead)
        })
    }

    /// Marks every ancestor of `shard_id` done (a later shard holds a
    /// checkpoint, so they were processed).
    pub(crate) fn ancestors_done(&mut self, shard_id: &str) {
        let mut stack: Vec<String> = self
            .nodes
            .get(shard_id)
            .map(|n| n.parents.clone())
            .unwrap_or_default();
        let mut seen = BTreeSet::new();
        while let Some(id) = stack.pop() {
            if !seen.insert(id.clone()) {
                continue;
            }
            if let Some(node) = self.nodes.get_mut(&id) {
                node.status = Status::Done;
                stack.extend(node.parents.iter().cloned());
            }
        }
    }

    /// Shards waiting whose parents in the tree are all done (a parent
    /// not in the tree is gone, or was never to be read).
    pub(crate) fn ready(&self) -> Vec<String> {
        self.nodes
            .iter()
            .filter(|(_, n)| n.status == Status::Waiting)
            .filter(|(id, n)| {
                n.parents.iter().filter(|p| p != id).all(|p| {
                    self.nodes
                        .get(p)
                        .is_none_or(|pn| matches!(pn.status, Status::Done | Status::NotRead))
                })
            })
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// The children known for `shard_id`.
    pub(crate) fn children(&self, shard_id: &str) -> Vec<String> {
        self.nodes
            .get(shard_id)
            .map(|n| n.children.iter().cloned().collect())
            .unwrap_or_default()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.nodes.iter().map(|(k, v)| (k.as_str(), v))
    }
}
