// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title WorkflowRegistry
/// @notice CreAspire's local-dev registry with the public surface of Chainlink's WorkflowRegistry v2 for what the
/// system uses: upsertWorkflow, getWorkflowListByDON, pause/activate/delete, owner linking, per-DON-family limits.
/// @dev Owner linking: an allowed signer signs (EIP-191 personal_sign) the 32-byte digest
///   keccak256(abi.encode(uint8(0) LINK_REQUEST_TYPE, owner, block.chainid, address(this), "v1", validityTimestamp, proof))
/// and the owner submits linkOwner(validityTimestamp, proof, signature) before validityTimestamp passes.
contract WorkflowRegistry {
  string public constant typeAndVersion = "WorkflowRegistry 2.0.0";

  uint8 public constant MAX_NAME_LEN = 64;
  uint8 public constant MAX_TAG_LEN = 32;
  uint8 public constant MAX_URL_LEN = 200;
  uint16 public constant MAX_ATTR_LEN = 1024;
  uint8 private constant LINK_REQUEST_TYPE = 0;

  enum WorkflowStatus {
    ACTIVE,
    PAUSED
  }

  struct WorkflowMetadataView {
    bytes32 workflowId;
    address owner;
    uint64 createdAt;
    WorkflowStatus status;
    string workflowName;
    string binaryUrl;
    string configUrl;
    string tag;
    bytes attributes;
    string donFamily;
  }

  struct DonLimit {
    uint32 limit;
    bool enabled;
  }

  // Access control
  error OnlyCallableByOwner();
  error ZeroAddressNotAllowed();
  // Owner linking
  error OwnershipLinkDoesNotExist(address owner);
  error OwnershipLinkAlreadyExists(address owner);
  error LinkOwnerRequestExpired(address caller, uint256 currentTime, uint256 expiryTimestamp);
  error OwnershipProofAlreadyUsed(address caller, bytes32 proof);
  error InvalidSignature(bytes signature);
  error InvalidOwnershipLink(address owner, uint256 validityTimestamp, bytes32 proof, address recoveredSigner);
  // Workflow validation
  error WorkflowNameRequired();
  error WorkflowNameTooLong(uint256 provided, uint8 max);
  error WorkflowTagRequired();
  error WorkflowTagTooLong(uint256 provided, uint8 max);
  error BinaryURLRequired();
  error URLTooLong(uint256 provided, uint8 max);
  error AttributesTooLong(uint256 provided, uint256 max);
  error InvalidWorkflowID();
  error DuplicateWorkflowID(bytes32 workflowId);
  error CannotChangeStatusOnUpdate(bytes32 workflowId);
  error CannotChangeDONFamilyOnUpdate(string current, string provided);
  error DonLimitNotSet(string donFamily);
  error MaxWorkflowsPerDONExceeded(string donFamily, uint32 limit);
  // Lifecycle
  error WorkflowDoesNotExist(bytes32 workflowId);
  error CallerIsNotWorkflowOwner(address caller, bytes32 workflowId);
  error WorkflowAlreadyInStatus(bytes32 workflowId, WorkflowStatus status);

  event WorkflowRegistered(bytes32 indexed workflowId, address indexed owner, string donFamily, WorkflowStatus status, string workflowName);
  event WorkflowUpdated(bytes32 indexed oldWorkflowId, bytes32 indexed newWorkflowId, address indexed owner, string donFamily, string workflowName);
  event WorkflowPaused(bytes32 indexed workflowId, address indexed owner, string donFamily, string workflowName);
  event WorkflowActivated(bytes32 indexed workflowId, address indexed owner, string donFamily, string workflowName);
  event WorkflowDeleted(bytes32 indexed workflowId, address indexed owner, string donFamily, string workflowName);
  event OwnershipLinkUpdated(address indexed owner, bytes32 indexed proof, bool indexed added);
  event AllowedSignersUpdated(address[] signers, bool allowed);
  event DONLimitSet(string donFamily, uint32 limit, bool enabled);

  address private immutable i_owner;
  mapping(address => bool) private s_allowedSigners;
  mapping(address => bool) private s_linkedOwners;
  mapping(bytes32 => bool) private s_usedProofs;
  mapping(bytes32 familyHash => DonLimit) private s_donLimits;
  mapping(bytes32 familyHash => uint32) private s_activeCount;

  mapping(bytes32 rid => WorkflowMetadataView) private s_workflows;
  mapping(bytes32 workflowId => bytes32 rid) private s_ridById;
  mapping(bytes32 familyHash => bytes32[] rids) private s_ridsByFamily;
  mapping(bytes32 rid => uint256 indexPlusOne) private s_familyIndex;
  mapping(bytes32 ownerNameHash => bytes32[] rids) private s_ridsByOwnerName;
  mapping(bytes32 rid => uint256 indexPlusOne) private s_ownerNameIndex;

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

  // ---------------------------------------------------------------- owner linking

  function updateAllowedSigners(address[] calldata signers, bool allowed) external onlyOwner {
    for (uint256 i = 0; i < signers.length; ++i) {
      if (signers[i] == address(0)) revert ZeroAddressNotAllowed();
      s_allowedSigners[signers[i]] = allowed;
    }
    emit AllowedSignersUpdated(signers, allowed);
  }

  function isAllowedSigner(address signer) external view returns (bool) {
    return s_allowedSigners[signer];
  }

  function isOwnerLinked(address workflowOwner) external view returns (bool) {
    return s_linkedOwners[workflowOwner];
  }

  /// @notice The digest an allowed signer signs (EIP-191) to let `workflowOwner` link itself.
  function getLinkOwnerMessage(address workflowOwner, uint256 validityTimestamp, bytes32 proof) public view returns (bytes32) {
    return keccak256(abi.encode(LINK_REQUEST_TYPE, workflowOwner, block.chainid, address(this), "v1", validityTimestamp, proof));
  }

  function linkOwner(uint256 validityTimestamp, bytes32 proof, bytes calldata signature) external {
    if (block.timestamp > validityTimestamp) revert LinkOwnerRequestExpired(msg.sender, block.timestamp, validityTimestamp);
    if (s_linkedOwners[msg.sender]) revert OwnershipLinkAlreadyExists(msg.sender);
    if (s_usedProofs[proof]) revert OwnershipProofAlreadyUsed(msg.sender, proof);
    bytes32 digest = keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", getLinkOwnerMessage(msg.sender, validityTimestamp, proof)));
    address signer = _recover(digest, signature);
    if (!s_allowedSigners[signer]) revert InvalidOwnershipLink(msg.sender, validityTimestamp, proof, signer);
    s_usedProofs[proof] = true;
    s_linkedOwners[msg.sender] = true;
    emit OwnershipLinkUpdated(msg.sender, proof, true);
  }

  function _recover(bytes32 digest, bytes calldata signature) private pure returns (address) {
    if (signature.length != 65) revert InvalidSignature(signature);
    bytes32 r = bytes32(signature[0:32]);
    bytes32 s = bytes32(signature[32:64]);
    uint8 v = uint8(signature[64]);
    if (v < 27) v += 27;
    // Reject malleable high-s signatures (EIP-2).
    if (uint256(s) > 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0 || (v != 27 && v != 28)) {
      revert InvalidSignature(signature);
    }
    address signer = ecrecover(digest, v, r, s);
    if (signer == address(0)) revert InvalidSignature(signature);
    return signer;
  }

  // ---------------------------------------------------------------- DON limits

  function setDONLimit(string calldata donFamily, uint32 limit, bool enabled) external onlyOwner {
    s_donLimits[keccak256(bytes(donFamily))] = DonLimit(limit, enabled);
    emit DONLimitSet(donFamily, limit, enabled);
  }

  function getDONLimit(string calldata donFamily) external view returns (uint32 limit, bool enabled) {
    DonLimit memory l = s_donLimits[keccak256(bytes(donFamily))];
    return (l.limit, l.enabled);
  }

  function getActiveWorkflowCount(string calldata donFamily) external view returns (uint32) {
    return s_activeCount[keccak256(bytes(donFamily))];
  }

  // ---------------------------------------------------------------- workflows

  function upsertWorkflow(
    string memory workflowName,
    string memory tag,
    bytes32 workflowId,
    WorkflowStatus status,
    string memory donFamily,
    string memory binaryUrl,
    string memory configUrl,
    bytes memory attributes,
    bool keepAlive
  ) external {
    if (!s_linkedOwners[msg.sender]) revert OwnershipLinkDoesNotExist(msg.sender);
    // Field by field: a 10-argument struct literal plus 9 parameters would not fit the legacy pipeline's stack.
    WorkflowMetadataView memory input;
    input.workflowId = workflowId;
    input.owner = msg.sender;
    input.createdAt = uint64(block.timestamp);
    input.status = status;
    input.workflowName = workflowName;
    input.binaryUrl = binaryUrl;
    input.configUrl = configUrl;
    input.tag = tag;
    input.attributes = attributes;
    input.donFamily = donFamily;
    _validate(input);
    bytes32 rid = keccak256(abi.encode(msg.sender, workflowName, tag));
    if (s_workflows[rid].owner == address(0)) {
      _create(rid, input, keepAlive);
    } else {
      _update(rid, input, keepAlive);
    }
  }

  function _create(bytes32 rid, WorkflowMetadataView memory input, bool keepAlive) private {
    bytes32 familyHash = keccak256(bytes(input.donFamily));
    if (!s_donLimits[familyHash].enabled) revert DonLimitNotSet(input.donFamily);
    if (s_ridById[input.workflowId] != bytes32(0)) revert DuplicateWorkflowID(input.workflowId);
    if (!keepAlive) _pauseSiblings(rid, input.owner, input.workflowName);
    if (input.status == WorkflowStatus.ACTIVE) _takeActiveSlot(familyHash, input.donFamily);
    s_workflows[rid] = input;
    _index(s_ridsByFamily[familyHash], s_familyIndex, rid);
    _index(s_ridsByOwnerName[keccak256(abi.encode(input.owner, input.workflowName))], s_ownerNameIndex, rid);
    s_ridById[input.workflowId] = rid;
    emit WorkflowRegistered(input.workflowId, input.owner, input.donFamily, input.status, input.workflowName);
  }

  function _update(bytes32 rid, WorkflowMetadataView memory input, bool keepAlive) private {
    WorkflowMetadataView storage wf = s_workflows[rid];
    bytes32 oldId = wf.workflowId;
    bytes32 holder = s_ridById[input.workflowId];
    if (holder != bytes32(0) && holder != rid) revert DuplicateWorkflowID(input.workflowId);
    if (wf.status != input.status) revert CannotChangeStatusOnUpdate(oldId);
    if (keccak256(bytes(wf.donFamily)) != keccak256(bytes(input.donFamily))) revert CannotChangeDONFamilyOnUpdate(wf.donFamily, input.donFamily);
    if (!keepAlive) _pauseSiblings(rid, input.owner, input.workflowName);
    delete s_ridById[oldId];
    s_ridById[input.workflowId] = rid;
    wf.workflowId = input.workflowId;
    wf.binaryUrl = input.binaryUrl;
    wf.configUrl = input.configUrl;
    wf.attributes = input.attributes;
    emit WorkflowUpdated(oldId, input.workflowId, input.owner, input.donFamily, input.workflowName);
  }

  function pauseWorkflow(bytes32 workflowId) external {
    WorkflowMetadataView storage wf = _ownedWorkflow(workflowId);
    if (wf.status == WorkflowStatus.PAUSED) revert WorkflowAlreadyInStatus(workflowId, WorkflowStatus.PAUSED);
    _pause(wf);
  }

  function activateWorkflow(bytes32 workflowId) external {
    WorkflowMetadataView storage wf = _ownedWorkflow(workflowId);
    if (wf.status == WorkflowStatus.ACTIVE) revert WorkflowAlreadyInStatus(workflowId, WorkflowStatus.ACTIVE);
    bytes32 familyHash = keccak256(bytes(wf.donFamily));
    _takeActiveSlot(familyHash, wf.donFamily);
    wf.status = WorkflowStatus.ACTIVE;
    emit WorkflowActivated(workflowId, wf.owner, wf.donFamily, wf.workflowName);
  }

  function deleteWorkflow(bytes32 workflowId) external {
    WorkflowMetadataView storage wf = _ownedWorkflow(workflowId);
    bytes32 rid = s_ridById[workflowId];
    bytes32 familyHash = keccak256(bytes(wf.donFamily));
    if (wf.status == WorkflowStatus.ACTIVE) s_activeCount[familyHash] -= 1;
    string memory donFamily = wf.donFamily;
    string memory workflowName = wf.workflowName;
    address workflowOwner = wf.owner;
    _unindex(s_ridsByFamily[familyHash], s_familyIndex, rid);
    _unindex(s_ridsByOwnerName[keccak256(abi.encode(workflowOwner, workflowName))], s_ownerNameIndex, rid);
    delete s_ridById[workflowId];
    delete s_workflows[rid];
    emit WorkflowDeleted(workflowId, workflowOwner, donFamily, workflowName);
  }

  function getWorkflowById(bytes32 workflowId) external view returns (WorkflowMetadataView memory) {
    bytes32 rid = s_ridById[workflowId];
    if (rid == bytes32(0)) revert WorkflowDoesNotExist(workflowId);
    return s_workflows[rid];
  }

  function totalWorkflowsByDON(string calldata donFamily) external view returns (uint256) {
    return s_ridsByFamily[keccak256(bytes(donFamily))].length;
  }

  /// @notice All workflows (any status) registered for a DON family, in pages of `limit` from `start`.
  function getWorkflowListByDON(string calldata donFamily, uint256 start, uint256 limit) external view returns (WorkflowMetadataView[] memory list) {
    bytes32[] storage rids = s_ridsByFamily[keccak256(bytes(donFamily))];
    if (start >= rids.length || limit == 0) return new WorkflowMetadataView[](0);
    uint256 end = rids.length - start < limit ? rids.length : start + limit;
    list = new WorkflowMetadataView[](end - start);
    for (uint256 i = start; i < end; ++i) {
      list[i - start] = s_workflows[rids[i]];
    }
  }

  // ---------------------------------------------------------------- internals

  function _validate(WorkflowMetadataView memory input) private pure {
    uint256 nameLength = bytes(input.workflowName).length;
    if (nameLength == 0) revert WorkflowNameRequired();
    if (nameLength > MAX_NAME_LEN) revert WorkflowNameTooLong(nameLength, MAX_NAME_LEN);
    uint256 tagLength = bytes(input.tag).length;
    if (tagLength == 0) revert WorkflowTagRequired();
    if (tagLength > MAX_TAG_LEN) revert WorkflowTagTooLong(tagLength, MAX_TAG_LEN);
    if (input.workflowId == bytes32(0)) revert InvalidWorkflowID();
    if (bytes(input.binaryUrl).length == 0) revert BinaryURLRequired();
    if (bytes(input.binaryUrl).length > MAX_URL_LEN) revert URLTooLong(bytes(input.binaryUrl).length, MAX_URL_LEN);
    if (bytes(input.configUrl).length > MAX_URL_LEN) revert URLTooLong(bytes(input.configUrl).length, MAX_URL_LEN);
    if (input.attributes.length > MAX_ATTR_LEN) revert AttributesTooLong(input.attributes.length, MAX_ATTR_LEN);
  }

  function _ownedWorkflow(bytes32 workflowId) private view returns (WorkflowMetadataView storage wf) {
    bytes32 rid = s_ridById[workflowId];
    if (rid == bytes32(0)) revert WorkflowDoesNotExist(workflowId);
    wf = s_workflows[rid];
    if (wf.owner != msg.sender) revert CallerIsNotWorkflowOwner(msg.sender, workflowId);
  }

  function _takeActiveSlot(bytes32 familyHash, string memory donFamily) private {
    DonLimit memory l = s_donLimits[familyHash];
    if (!l.enabled) revert DonLimitNotSet(donFamily);
    if (s_activeCount[familyHash] >= l.limit) revert MaxWorkflowsPerDONExceeded(donFamily, l.limit);
    s_activeCount[familyHash] += 1;
  }

  function _pause(WorkflowMetadataView storage wf) private {
    wf.status = WorkflowStatus.PAUSED;
    s_activeCount[keccak256(bytes(wf.donFamily))] -= 1;
    emit WorkflowPaused(wf.workflowId, wf.owner, wf.donFamily, wf.workflowName);
  }

  /// @dev keepAlive=false: pause the caller's other active versions (tags) of the same workflow name.
  function _pauseSiblings(bytes32 rid, address workflowOwner, string memory workflowName) private {
    bytes32[] storage siblings = s_ridsByOwnerName[keccak256(abi.encode(workflowOwner, workflowName))];
    for (uint256 i = 0; i < siblings.length; ++i) {
      if (siblings[i] == rid) continue;
      WorkflowMetadataView storage other = s_workflows[siblings[i]];
      if (other.status == WorkflowStatus.ACTIVE) _pause(other);
    }
  }

  function _index(bytes32[] storage set, mapping(bytes32 => uint256) storage positions, bytes32 rid) private {
    set.push(rid);
    positions[rid] = set.length;
  }

  function _unindex(bytes32[] storage set, mapping(bytes32 => uint256) storage positions, bytes32 rid) private {
    uint256 index = positions[rid] - 1;
    bytes32 last = set[set.length - 1];
    set[index] = last;
    positions[last] = index + 1;
    set.pop();
    delete positions[rid];
  }
}
