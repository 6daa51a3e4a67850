// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title CapabilitiesRegistry
/// @notice CreAspire's local-dev registry of capabilities ("name@version"), nodes (signer, p2p id, capabilities) and
/// DONs (name, families, F, isPublic, acceptsWorkflows, members, per-capability config), shaped after Chainlink's
/// CapabilitiesRegistry v2. Nodes are keyed by p2p id; a node belongs to at most one workflow DON. Every node registers
/// its encryption public key (65-byte uncompressed secp256k1, 0x04 || X || Y) so the vault can seal secrets to each
/// member of a workflow DON.
contract CapabilitiesRegistry {
  string public constant typeAndVersion = "CapabilitiesRegistry 2.0.0";

  struct Capability {
    string capabilityId;
    address configurationContract;
    bytes metadata;
  }

  struct NodeParams {
    address signer;
    bytes32 p2pId;
    bytes encryptionPublicKey;
    string[] capabilityIds;
  }

  struct NodeInfo {
    address signer;
    bytes32 p2pId;
    bytes encryptionPublicKey;
    string[] capabilityIds;
    uint32 workflowDONId;
    uint32[] capabilitiesDONIds;
  }

  struct CapabilityConfiguration {
    string capabilityId;
    bytes config;
  }

  struct NewDONParams {
    string name;
    string[] donFamilies;
    bytes config;
    CapabilityConfiguration[] capabilityConfigurations;
    bytes32[] nodes;
    uint8 f;
    bool isPublic;
    bool acceptsWorkflows;
  }

  struct DONInfo {
    uint32 id;
    uint32 configCount;
    uint8 f;
    bool isPublic;
    bool acceptsWorkflows;
    bytes32[] nodeP2PIds;
    string[] donFamilies;
    string name;
    bytes config;
    CapabilityConfiguration[] capabilityConfigurations;
  }

  error OnlyCallableByOwner();
  error InvalidCapabilityId(string capabilityId);
  error CapabilityAlreadyExists(string capabilityId);
  error CapabilityDoesNotExist(string capabilityId);
  error InvalidNodeSigner();
  error InvalidNodeP2PId(bytes32 p2pId);
  error InvalidNodeEncryptionPublicKey(bytes32 p2pId);
  error NodeAlreadyExists(bytes32 p2pId);
  error SignerAlreadyRegistered(address signer);
  error NodeDoesNotExist(bytes32 p2pId);
  error DONNameRequired();
  error DONNameAlreadyTaken(string name);
  error DONDoesNotExist(uint32 donId);
  error InvalidFaultTolerance(uint8 f, uint256 nodeCount);
  error DuplicateDONNode(uint32 donId, bytes32 p2pId);
  error DuplicateDONCapability(uint32 donId, string capabilityId);
  error NodeDoesNotSupportCapability(bytes32 p2pId, string capabilityId);
  error NodePartOfWorkflowDON(uint32 donId, bytes32 p2pId);

  event CapabilityConfigured(string indexed capabilityId);
  event NodeAdded(bytes32 indexed p2pId, address indexed signer);
  event ConfigSet(uint32 indexed donId, uint32 configCount);

  address private immutable i_owner;

  string[] private s_capabilityIds;
  mapping(bytes32 idHash => Capability) private s_capabilities;

  bytes32[] private s_nodeP2PIds;
  mapping(bytes32 p2pId => NodeInfo) private s_nodes;
  mapping(address signer => bool) private s_signers;

  uint32 private s_nextDONId = 1;
  uint32[] private s_donIds;
  mapping(uint32 donId => DONInfo) private s_dons;
  mapping(bytes32 nameHash => uint32 donId) private s_donIdByName;

  constructor() {
    i_owner = msg.sender;
  }

  modifier onlyOwner() {
    if (msg.sender != i_owner) revert OnlyCallableByOwner();
    _;
  }

  function owner() external view returns (address) {
    return i_owner;
  }

  // ---------------------------------------------------------------- capabilities

  function addCapabilities(Capability[] calldata capabilities) external onlyOwner {
    for (uint256 i = 0; i < capabilities.length; ++i) {
      string calldata id = capabilities[i].capabilityId;
      if (!_hasVersionSeparator(bytes(id))) revert InvalidCapabilityId(id);
      bytes32 key = keccak256(bytes(id));
      if (bytes(s_capabilities[key].capabilityId).length != 0) revert CapabilityAlreadyExists(id);
      s_capabilities[key] = capabilities[i];
      s_capabilityIds.push(id);
      emit CapabilityConfigured(id);
    }
  }

  function getCapabilities() external view returns (Capability[] memory list) {
    list = new Capability[](s_capabilityIds.length);
    for (uint256 i = 0; i < list.length; ++i) {
      list[i] = s_capabilities[keccak256(bytes(s_capabilityIds[i]))];
    }
  }

  // ---------------------------------------------------------------- nodes

  function addNodes(NodeParams[] calldata nodes) external onlyOwner {
    for (uint256 i = 0; i < nodes.length; ++i) {
      NodeParams calldata node = nodes[i];
      if (node.signer == address(0)) revert InvalidNodeSigner();
      if (node.p2pId == bytes32(0)) revert InvalidNodeP2PId(node.p2pId);
      if (s_nodes[node.p2pId].p2pId != bytes32(0)) revert NodeAlreadyExists(node.p2pId);
      if (s_signers[node.signer]) revert SignerAlreadyRegistered(node.signer);
      if (node.encryptionPublicKey.length != 65 || node.encryptionPublicKey[0] != 0x04) revert InvalidNodeEncryptionPublicKey(node.p2pId);
      NodeInfo storage stored = s_nodes[node.p2pId];
      stored.signer = node.signer;
      stored.p2pId = node.p2pId;
      stored.encryptionPublicKey = node.encryptionPublicKey;
      for (uint256 c = 0; c < node.capabilityIds.length; ++c) {
        string calldata capabilityId = node.capabilityIds[c];
        if (bytes(s_capabilities[keccak256(bytes(capabilityId))].capabilityId).length == 0) revert CapabilityDoesNotExist(capabilityId);
        stored.capabilityIds.push(capabilityId);
      }
      s_signers[node.signer] = true;
      s_nodeP2PIds.push(node.p2pId);
      emit NodeAdded(node.p2pId, node.signer);
    }
  }

  function getNodes() external view returns (NodeInfo[] memory list) {
    list = new NodeInfo[](s_nodeP2PIds.length);
    for (uint256 i = 0; i < list.length; ++i) {
      list[i] = s_nodes[s_nodeP2PIds[i]];
    }
  }

  function getNode(bytes32 p2pId) external view returns (NodeInfo memory) {
    if (s_nodes[p2pId].p2pId == bytes32(0)) revert NodeDoesNotExist(p2pId);
    return s_nodes[p2pId];
  }

  // ---------------------------------------------------------------- DONs

  function addDONs(NewDONParams[] calldata dons) external onlyOwner {
    for (uint256 i = 0; i < dons.length; ++i) {
      _addDON(dons[i]);
    }
  }

  function _addDON(NewDONParams calldata params) private {
    if (bytes(params.name).length == 0) revert DONNameRequired();
    bytes32 nameHash = keccak256(bytes(params.name));
    if (s_donIdByName[nameHash] != 0) revert DONNameAlreadyTaken(params.name);
    if (params.nodes.length == 0 || 3 * uint256(params.f) + 1 > params.nodes.length) {
      revert InvalidFaultTolerance(params.f, params.nodes.length);
    }

    uint32 donId = s_nextDONId++;
    DONInfo storage don = s_dons[donId];
    don.id = donId;
    don.configCount = 1;
    don.f = params.f;
    don.isPublic = params.isPublic;
    don.acceptsWorkflows = params.acceptsWorkflows;
    don.name = params.name;
    don.config = params.config;
    for (uint256 k = 0; k < params.donFamilies.length; ++k) {
      don.donFamilies.push(params.donFamilies[k]);
    }
    _addCapabilityConfigurations(don, params.capabilityConfigurations);
    _addMembers(don, params.nodes, params.capabilityConfigurations);

    s_donIdByName[nameHash] = donId;
    s_donIds.push(donId);
    emit ConfigSet(donId, 1);
  }

  function _addCapabilityConfigurations(DONInfo storage don, CapabilityConfiguration[] calldata configs) private {
    for (uint256 c = 0; c < configs.length; ++c) {
      string calldata capabilityId = configs[c].capabilityId;
      if (bytes(s_capabilities[keccak256(bytes(capabilityId))].capabilityId).length == 0) revert CapabilityDoesNotExist(capabilityId);
      for (uint256 j = 0; j < c; ++j) {
        if (keccak256(bytes(configs[j].capabilityId)) == keccak256(bytes(capabilityId))) revert DuplicateDONCapability(don.id, capabilityId);
      }
      don.capabilityConfigurations.push(configs[c]);
    }
  }

  function _addMembers(DONInfo storage don, bytes32[] calldata nodes, CapabilityConfiguration[] calldata configs) private {
    for (uint256 n = 0; n < nodes.length; ++n) {
      bytes32 p2pId = nodes[n];
      NodeInfo storage node = s_nodes[p2pId];
      if (node.p2pId == bytes32(0)) revert NodeDoesNotExist(p2pId);
      for (uint256 j = 0; j < n; ++j) {
        if (nodes[j] == p2pId) revert DuplicateDONNode(don.id, p2pId);
      }
      for (uint256 c = 0; c < configs.length; ++c) {
        if (!_supports(node, configs[c].capabilityId)) revert NodeDoesNotSupportCapability(p2pId, configs[c].capabilityId);
      }
      if (don.acceptsWorkflows) {
        if (node.workflowDONId != 0) revert NodePartOfWorkflowDON(node.workflowDONId, p2pId);
        node.workflowDONId = don.id;
      } else {
        node.capabilitiesDONIds.push(don.id);
      }
      don.nodeP2PIds.push(p2pId);
    }
  }

  function getDONs() external view returns (DONInfo[] memory list) {
    list = new DONInfo[](s_donIds.length);
    for (uint256 i = 0; i < list.length; ++i) {
      list[i] = s_dons[s_donIds[i]];
    }
  }

  function getDON(uint32 donId) external view returns (DONInfo memory) {
    if (s_dons[donId].id == 0) revert DONDoesNotExist(donId);
    return s_dons[donId];
  }

  function getDONByName(string calldata name) external view returns (DONInfo memory) {
    uint32 donId = s_donIdByName[keccak256(bytes(name))];
    if (donId == 0) revert DONDoesNotExist(0);
    return s_dons[donId];
  }

  // ---------------------------------------------------------------- internals

  function _supports(NodeInfo storage node, string calldata capabilityId) private view returns (bool) {
    bytes32 wanted = keccak256(bytes(capabilityId));
    for (uint256 i = 0; i < node.capabilityIds.length; ++i) {
      if (keccak256(bytes(node.capabilityIds[i])) == wanted) return true;
    }
    return false;
  }

  function _hasVersionSeparator(bytes memory id) private pure returns (bool) {
    for (uint256 i = 1; i + 1 < id.length; ++i) {
      if (id[i] == "@") return true;
    }
    return false;
  }
}
